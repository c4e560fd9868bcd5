using System.Globalization;
using GpuCascade.Kernels;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Statistics;

namespace GpuCascade.Calibration;

/// <summary>Which statistic of an output a <see cref="RiskMetric"/> is.</summary>
public enum MetricStatistic
{
    /// <summary>The probability that the output is positive (<c>probabilities.badDebt</c>).</summary>
    Probability,
    /// <summary>The mean per path (<c>badDebt.mean</c>).</summary>
    Mean,
    /// <summary>VaR at a tail level (<c>badDebt.var.0.99</c>).</summary>
    ValueAtRisk,
    /// <summary>ES at a tail level (<c>badDebt.es.0.99</c>).</summary>
    ExpectedShortfall,
}

/// <summary>A figure with its 95% interval; a bound is null where none exists (a VaR with too few paths).</summary>
public readonly record struct Figure(double Estimate, double? Lower, double? Upper);

/// <summary>
/// A figure of a run result that <c>compare</c> reports differences of and <c>calibrate</c> targets, named as in the
/// JSON result. The metrics are the output schema's rows marked <see cref="OutputAggregations.Target"/>
/// (<see cref="OutputSchema"/>): each one's probability of being positive (<c>probabilities.badDebt</c>), mean
/// (<c>badDebt.mean</c>), and with an exact tail its VaR and ES (<c>badDebt.var.0.99</c>, <c>badDebt.es.0.999</c>).
/// </summary>
/// <param name="Row">The output it is a statistic of.</param>
/// <param name="Statistic">Which statistic.</param>
/// <param name="Level">The tail level of a VaR or ES; null otherwise.</param>
public readonly record struct RiskMetric(OutputRow Row, MetricStatistic Statistic, TailLevel? Level = null)
{
    /// <summary>The output it is a statistic of: a per-path row marked <see cref="OutputAggregations.Target"/> that has
    /// the statistic (checked: a metric the results cannot read is refused when it is made).</summary>
    public OutputRow Row { get; init; } = Checked(Row, Statistic, Level);

    private static OutputRow Checked(OutputRow row, MetricStatistic statistic, TailLevel? level)
    {
        ArgumentNullException.ThrowIfNull(row);
        bool ok = row.Shape == OutputShape.PerPath && row.Has(OutputAggregations.Target) && statistic switch
        {
            MetricStatistic.Probability => row.ProbabilityKey is not null && level is null,
            MetricStatistic.Mean => row.Has(OutputAggregations.Mean) && level is null,
            _ => row.Has(OutputAggregations.Tail) && level is not null,
        };
        return ok ? row : throw new ArgumentException($"{row.Key} has no {statistic} metric{(level is null ? "" : " at a tail level")}", nameof(row));
    }

    /// <summary>Every metric, in report order: the core outputs' probabilities, their tails (mean, VaR, ES), their other
    /// means, then each mechanism's probability and mean.</summary>
    public static IReadOnlyList<RiskMetric> All { get; } = Build();

    private static List<RiskMetric> Build()
    {
        var targets = OutputSchema.Rows.Where(r => r.Shape == OutputShape.PerPath && r.Has(OutputAggregations.Target)).ToList();
        var core = targets.Where(r => r.Mechanism is null).ToList();
        var all = new List<RiskMetric>();
        all.AddRange(core.Where(r => r.Has(OutputAggregations.Positive)).Select(r => new RiskMetric(r, MetricStatistic.Probability)));
        foreach (var r in core.Where(r => r.Has(OutputAggregations.Tail)))
        {
            all.Add(new RiskMetric(r, MetricStatistic.Mean));
            all.AddRange(TailLevel.Standard.Select(l => new RiskMetric(r, MetricStatistic.ValueAtRisk, l)));
            all.AddRange(TailLevel.Standard.Select(l => new RiskMetric(r, MetricStatistic.ExpectedShortfall, l)));
        }
        all.AddRange(core.Where(r => r.Has(OutputAggregations.Mean) && !r.Has(OutputAggregations.Tail)).Select(r => new RiskMetric(r, MetricStatistic.Mean)));
        foreach (var r in targets.Where(r => r.Mechanism is not null))
        {
            if (r.Has(OutputAggregations.Positive)) all.Add(new RiskMetric(r, MetricStatistic.Probability));
            if (r.Has(OutputAggregations.Mean)) all.Add(new RiskMetric(r, MetricStatistic.Mean));
            if (r.Has(OutputAggregations.Tail))
            {
                all.AddRange(TailLevel.Standard.Select(l => new RiskMetric(r, MetricStatistic.ValueAtRisk, l)));
                all.AddRange(TailLevel.Standard.Select(l => new RiskMetric(r, MetricStatistic.ExpectedShortfall, l)));
            }
        }
        return all;
    }

    /// <summary>The name, as in the JSON result (<c>badDebt.es.0.99</c>).</summary>
    public string Name => Statistic switch
    {
        MetricStatistic.Probability => Row.ProbabilityKey!,
        MetricStatistic.Mean => Row.Key + ".mean",
        MetricStatistic.ValueAtRisk => $"{Row.Key}.var.{Level!.Value.Key}",
        _ => $"{Row.Key}.es.{Level!.Value.Key}",
    };

    /// <summary>What it measures, in words, with the unit (for the help and the report).</summary>
    public string Description => Statistic switch
    {
        MetricStatistic.Probability => $"P({Row.Label} > 0)",
        MetricStatistic.Mean => $"mean {Row.Label} per path, {Row.Unit}",
        MetricStatistic.ValueAtRisk => $"VaR of the {Row.Label} per path, {Row.Unit}",
        _ => $"ES of the {Row.Label} per path, {Row.Unit}",
    };

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Whether the metric is a probability (its values are in [0, 1]).</summary>
    public bool IsProbability => Statistic == MetricStatistic.Probability;

    /// <summary>Whether the metric is a VaR or an ES (a tail figure, not a mean over paths).</summary>
    public bool IsTail => Level is not null;

    /// <summary>The names, compactly, for help and errors: <c>probabilities.{anyLiquidation,...}</c>, <c>badDebt.{mean,var.L,es.L}</c>.</summary>
    public static string Names
    {
        get
        {
            var parts = new List<string>();
            var probabilities = All.Where(m => m.IsProbability).Select(m => m.Row.ProbabilityName!).ToList();
            parts.Add($"probabilities.{{{string.Join(",", probabilities)}}}");
            foreach (var group in All.Where(m => !m.IsProbability).GroupBy(m => m.Row.Key))
            {
                var statistics = group.Select(m => m.Statistic switch
                {
                    MetricStatistic.Mean => "mean", MetricStatistic.ValueAtRisk => "var.L", _ => "es.L",
                }).Distinct().ToList();
                parts.Add(statistics.Count == 1 ? $"{group.Key}.{statistics[0]}" : $"{group.Key}.{{{string.Join(",", statistics)}}}");
            }
            return $"{string.Join(", ", parts)} (L = {string.Join(", ", TailLevel.Standard.Select(l => l.Key).SkipLast(1))} or {TailLevel.Standard[^1].Key})";
        }
    }

    /// <summary>Parses a name; a <see cref="FormatException"/> lists the names when it is unknown.</summary>
    public static RiskMetric Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string t = name.Trim();
        foreach (var m in All)
            if (m.Level is null && t == m.Name) return m;
        foreach (var m in All.Where(m => m.Level is not null && m.Level == TailLevel.Standard[0]))
        {
            string prefix = m.Statistic == MetricStatistic.ValueAtRisk ? $"{m.Row.Key}.var" : $"{m.Row.Key}.es";
            if (!t.StartsWith(prefix + ".", StringComparison.Ordinal)) continue;
            string level = t[(prefix.Length + 1)..];
            if (double.TryParse(level, NumberStyles.Float, CultureInfo.InvariantCulture, out double a))
                foreach (var l in TailLevel.Standard)
                    if (l.Value == a) return m with { Level = l };
            throw new FormatException(
                $"{Echo.Quote(name)}: the level must be one of {string.Join(", ", TailLevel.Standard.Select(l => l.Key))}, got {Echo.Quote(level)}");
        }
        string hint = Scenarios.DidYouMean.Hint(t, All.Select(m => m.Name));
        throw new FormatException($"unknown metric {Echo.Quote(name)}{hint}; expected one of {Names}");
    }

    /// <summary>The figure and its 95% interval in <paramref name="r"/>: Wilson for probabilities, mean +- 1.96 SE for
    /// means, the order-statistic interval for VaR and the asymptotic one for ES.</summary>
    public Figure Read(RunResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var row = Row;
        switch (Statistic)
        {
            case MetricStatistic.Probability:
                var p = row.Mechanism is not null ? r.Mechanisms.Probability(row.ProbabilityKey!)
                    : row == OutputSchema.AnyLiquidation ? r.Probabilities.AnyLiquidation
                    : row == OutputSchema.Cascade ? r.Probabilities.Cascade
                    : row == OutputSchema.BadDebt ? r.Probabilities.BadDebt
                    : row == OutputSchema.UncoveredBeforeAdl ? r.Probabilities.FundDepleted
                    : row == OutputSchema.Runaway ? r.Probabilities.Runaway
                    : throw new InvalidOperationException($"no probability of {row.Key} in a result");
                return new Figure(p.Estimate, p.Lower, p.Upper);
            case MetricStatistic.Mean:
                var m = row.Mechanism is not null ? r.Mechanisms.Mean(row.Key)
                    : row == OutputSchema.BadDebt ? new MeanEstimate(r.BadDebt.Mean, r.BadDebt.StandardError)
                    : row == OutputSchema.LiquidatedNotional ? new MeanEstimate(r.LiquidatedNotional.Mean, r.LiquidatedNotional.StandardError)
                    : row == OutputSchema.UncoveredLoss ? r.InsuranceFund.UncoveredLoss
                    : throw new InvalidOperationException($"no mean of {row.Key} in a result");
                return new Figure(m.Mean, m.Mean - Proportion.Z95 * m.StandardError, m.Mean + Proportion.Z95 * m.StandardError);
            default:
                var d = row.Mechanism is not null ? r.Mechanisms.Tail(row.Key)
                    : row == OutputSchema.BadDebt ? r.BadDebt
                    : row == OutputSchema.LiquidatedNotional ? r.LiquidatedNotional
                    : throw new InvalidOperationException($"no tail of {row.Key} in a result");
                double level = Level!.Value.Value;
                if (Statistic == MetricStatistic.ValueAtRisk)
                {
                    var interval = d.ValueAtRiskInterval.TryGetValue(level, out var i) ? i : new TailInterval(null, null);
                    return new Figure(d.ValueAtRisk[level], interval.Lower, interval.Upper);
                }
                var esInterval = d.ExpectedShortfallInterval.TryGetValue(level, out var e) ? e : new TailInterval(null, null);
                return new Figure(d.ExpectedShortfall[level], esInterval.Lower, esInterval.Upper);
        }
    }
}
