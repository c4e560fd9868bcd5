using System.Globalization;
using System.Text;

namespace GpuCascade.Reporting;

/// <summary>
/// Writes a <see cref="RunResult"/> as a flat CSV, one statistic per row: <c>metric,statistic,value,lower,upper</c>
/// (lower and upper where the figure has an interval). Handy for spreadsheets and for diffing runs. The names are the
/// JSON's: <c>metric.statistic</c> is the figure's path in <c>--json</c> (<c>badDebt</c>, <c>es.0.99</c> is
/// <c>badDebt.es.0.99</c>), and the <c>--target</c> metrics of calibrate are these names (docs/interpreting.md, "Names").
/// </summary>
public static class ResultCsv
{
    /// <summary>The result as CSV text (invariant culture, round-trip precision).</summary>
    public static string Serialize(RunResult r)
    {
        var sb = new StringBuilder("metric,statistic,value,lower,upper\n");
        void Row(string metric, string statistic, double value, double? lower = null, double? upper = null) =>
            sb.Append(metric).Append(',').Append(statistic).Append(',').Append(F(value)).Append(',')
              .Append(lower is double l ? F(l) : "").Append(',').Append(upper is double u ? F(u) : "").Append('\n');
        Row("paths", "count", r.Paths);
        sb.Append(CultureInfo.InvariantCulture, $"seed,value,{r.Seed},,\n"); // ulong: not through double
        void Probability(string name, Statistics.ProbabilityEstimate p) => Row($"probabilities.{name}", "estimate", p.Estimate, p.Lower, p.Upper);
        Probability("anyLiquidation", r.Probabilities.AnyLiquidation);
        Probability("cascade", r.Probabilities.Cascade);
        Probability("badDebt", r.Probabilities.BadDebt);
        Probability("fundDepleted", r.Probabilities.FundDepleted);
        Probability("runaway", r.Probabilities.Runaway);
        foreach (var (key, p) in r.Mechanisms.Probabilities) Row(key, "estimate", p.Estimate, p.Lower, p.Upper);
        void Loss(string name, LossDistribution d)
        {
            Row(name, "mean", d.Mean);
            Row(name, "standardError", d.StandardError);
            foreach (var (level, v) in d.ValueAtRisk.ByLevel())
            {
                var i = d.ValueAtRiskInterval.TryGetValue(level.Value, out var found) ? found : default;
                Row(name, $"var.{level.Key}", v, i.Lower, i.Upper);
            }
            foreach (var (level, v) in d.ExpectedShortfall.ByLevel())
            {
                var i = d.ExpectedShortfallInterval.TryGetValue(level.Value, out var found) ? found : default;
                Row(name, $"es.{level.Key}", v, i.Lower, i.Upper);
            }
        }
        foreach (var (key, m) in r.Mechanisms.Means)
            if (Paths.OutputSchema.Row(key).Has(Kernels.OutputAggregations.Tail)) Loss(key, r.Mechanisms.Tail(key));
            else Row(key, "mean", m.Mean);
        Loss("badDebt", r.BadDebt);
        Loss("liquidatedNotional", r.LiquidatedNotional);
        foreach (var (symbol, a) in r.Assets)
        {
            Row($"assets.{symbol}.maxDrawdown", "mean", a.MaxDrawdown.Mean);
            Row($"assets.{symbol}.maxDrawdown", "standardError", a.MaxDrawdown.StandardError);
            Row($"assets.{symbol}.exogenousMaxDrawdown", "mean", a.ExogenousMaxDrawdown.Mean);
            Row($"assets.{symbol}.exogenousMaxDrawdown", "standardError", a.ExogenousMaxDrawdown.StandardError);
            Row($"assets.{symbol}.amplification", "value", a.Amplification);
            Row($"assets.{symbol}.liquidatedNotional", "mean", a.LiquidatedNotional.Mean);
            Row($"assets.{symbol}.minDepthFactor", "mean", a.MinDepthFactor.Mean);
            Row($"assets.{symbol}.minDepthFactor", "standardError", a.MinDepthFactor.StandardError);
        }
        foreach (var c in r.CohortAttribution)
        {
            string metric = Quote($"cohortAttribution.{c.Name}");
            Row(metric, "pLiquidated", c.PLiquidated.Estimate, c.PLiquidated.Lower, c.PLiquidated.Upper);
            Row(metric, "liquidatedNotional", c.LiquidatedNotional);
            Row(metric, "badDebt", c.BadDebt);
            Row(metric, "tailShare", c.TailShare ?? double.NaN);
        }
        Row("roundCapHits", "count", r.RoundCapHits);
        Row("runaways", "count", r.Runaways);
        Row("insuranceFund.end", "mean", r.InsuranceFund.End.Mean);
        Row("insuranceFund.minimum", "mean", r.InsuranceFund.Minimum.Mean);
        Row("insuranceFund.uncoveredLoss", "mean", r.InsuranceFund.UncoveredLoss.Mean);
        // Counts: written as integers, not through double (exact past 2^53, never in exponent notation).
        sb.Append(CultureInfo.InvariantCulture, $"work.pathSteps,count,{r.Work.PathSteps},,\n");
        sb.Append(CultureInfo.InvariantCulture, $"work.marginChecks,count,{r.Work.MarginChecks},,\n");
        sb.Append(CultureInfo.InvariantCulture, $"work.cohortLiquidations,count,{r.Work.CohortLiquidations},,\n");
        return sb.ToString();
    }

    /// <summary>A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).</summary>
    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static string F(double v) => JsonFields.CsvNumber(v);
}
