using System.Globalization;
using GpuCascade.Reporting;
using GpuCascade.Statistics;
using GpuCascade.Scenarios;

namespace GpuCascade.Calibration;

/// <summary>What a <see cref="RiskMetric"/> measures.</summary>
public enum MetricKind
{
    /// <summary><c>probabilities.anyLiquidation</c></summary>
    AnyLiquidation,
    /// <summary><c>probabilities.cascade</c></summary>
    Cascade,
    /// <summary><c>probabilities.badDebt</c></summary>
    BadDebtProbability,
    /// <summary><c>probabilities.fundDepleted</c></summary>
    FundDepleted,
    /// <summary><c>badDebt.mean</c></summary>
    BadDebtMean,
    /// <summary><c>badDebt.var.L</c></summary>
    BadDebtVaR,
    /// <summary><c>badDebt.es.L</c></summary>
    BadDebtES,
    /// <summary><c>liquidatedNotional.mean</c></summary>
    LiquidatedNotionalMean,
    /// <summary><c>liquidatedNotional.var.L</c></summary>
    LiquidatedNotionalVaR,
    /// <summary><c>liquidatedNotional.es.L</c></summary>
    LiquidatedNotionalES,
    /// <summary><c>insuranceFund.uncoveredLoss.mean</c></summary>
    UncoveredLossMean,
    /// <summary><c>probabilities.adl</c>: auto-deleveraging took some loss.</summary>
    AdlProbability,
    /// <summary><c>adl.lossAbsorbed.mean</c></summary>
    AdlLossMean,
    /// <summary><c>queue.maxNotional.mean</c>: the largest notional waiting for the liquidation engine.</summary>
    QueueMaxNotionalMean,
}

/// <summary>A figure with its 95% interval; a bound is null where none exists (a VaR with too few paths).</summary>
public readonly record struct Figure(double Estimate, double? Lower, double? Upper);

/// <summary>
/// A figure of a run result that <c>compare</c> reports differences of and <c>calibrate</c> targets, named as in the
/// JSON result: <c>probabilities.{anyLiquidation,cascade,badDebt,fundDepleted}</c>, <c>badDebt.{mean,var.L,es.L}</c>,
/// <c>liquidatedNotional.{mean,var.L,es.L}</c>, <c>insuranceFund.uncoveredLoss.mean</c> (L one of 0.95, 0.99, 0.999).
/// </summary>
public readonly record struct RiskMetric(MetricKind Kind, TailLevel? Level = null)
{
    private static readonly (MetricKind Kind, string Name)[] Plain =
    [
        (MetricKind.AnyLiquidation, "probabilities.anyLiquidation"),
        (MetricKind.Cascade, "probabilities.cascade"),
        (MetricKind.BadDebtProbability, "probabilities.badDebt"),
        (MetricKind.FundDepleted, "probabilities.fundDepleted"),
        (MetricKind.BadDebtMean, "badDebt.mean"),
        (MetricKind.LiquidatedNotionalMean, "liquidatedNotional.mean"),
        (MetricKind.UncoveredLossMean, "insuranceFund.uncoveredLoss.mean"),
        (MetricKind.AdlProbability, "probabilities.adl"),
        (MetricKind.AdlLossMean, "adl.lossAbsorbed.mean"),
        (MetricKind.QueueMaxNotionalMean, "queue.maxNotional.mean"),
    ];

    private static readonly (MetricKind Kind, string Name)[] Tails =
    [
        (MetricKind.BadDebtVaR, "badDebt.var"),
        (MetricKind.BadDebtES, "badDebt.es"),
        (MetricKind.LiquidatedNotionalVaR, "liquidatedNotional.var"),
        (MetricKind.LiquidatedNotionalES, "liquidatedNotional.es"),
    ];

    /// <summary>Every metric, in report order.</summary>
    public static IReadOnlyList<RiskMetric> All { get; } =
    [
        new(MetricKind.AnyLiquidation), new(MetricKind.Cascade), new(MetricKind.BadDebtProbability), new(MetricKind.FundDepleted),
        new(MetricKind.BadDebtMean),
        .. TailLevel.Standard.Select(l => new RiskMetric(MetricKind.BadDebtVaR, l)),
        .. TailLevel.Standard.Select(l => new RiskMetric(MetricKind.BadDebtES, l)),
        new(MetricKind.LiquidatedNotionalMean),
        .. TailLevel.Standard.Select(l => new RiskMetric(MetricKind.LiquidatedNotionalVaR, l)),
        .. TailLevel.Standard.Select(l => new RiskMetric(MetricKind.LiquidatedNotionalES, l)),
        new(MetricKind.UncoveredLossMean),
        new(MetricKind.AdlProbability), new(MetricKind.AdlLossMean), new(MetricKind.QueueMaxNotionalMean),
    ];

    /// <summary>The name, as in the JSON result (<c>badDebt.es.0.99</c>).</summary>
    public string Name
    {
        get
        {
            var kind = Kind;
            return Level is TailLevel l ? $"{Tails.First(t => t.Kind == kind).Name}.{l.Key}" : Plain.First(p => p.Kind == kind).Name;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Whether the metric is a probability (its values are in [0, 1]).</summary>
    public bool IsProbability => Kind is MetricKind.AnyLiquidation or MetricKind.Cascade or MetricKind.BadDebtProbability or MetricKind.FundDepleted
        or MetricKind.AdlProbability;

    /// <summary>Whether the metric is a VaR or an ES (a tail figure, not a mean over paths).</summary>
    public bool IsTail => Level is not null;

    /// <summary>Parses a name; a <see cref="FormatException"/> lists the names when it is unknown.</summary>
    public static RiskMetric Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string t = name.Trim();
        foreach (var (kind, plain) in Plain)
            if (t == plain) return new RiskMetric(kind);
        foreach (var (kind, prefix) in Tails)
        {
            if (!t.StartsWith(prefix + ".", StringComparison.Ordinal)) continue;
            string level = t[(prefix.Length + 1)..];
            if (double.TryParse(level, NumberStyles.Float, CultureInfo.InvariantCulture, out double a))
                foreach (var l in TailLevel.Standard)
                    if (l.Value == a) return new RiskMetric(kind, l);
            throw new FormatException(
                $"{Echo.Quote(name)}: the level must be one of {string.Join(", ", TailLevel.Standard.Select(l => l.Key))}, got {Echo.Quote(level)}");
        }
        string names = "probabilities.{anyLiquidation,cascade,badDebt,fundDepleted,adl}, badDebt.{mean,var.L,es.L}, " +
                       "liquidatedNotional.{mean,var.L,es.L}, insuranceFund.uncoveredLoss.mean, adl.lossAbsorbed.mean, " +
                       "queue.maxNotional.mean (L = 0.95, 0.99 or 0.999)";
        string hint = Scenarios.DidYouMean.Hint(t, All.Select(m => m.Name));
        throw new FormatException($"unknown metric {Echo.Quote(name)}{hint}; expected one of {names}");
    }

    /// <summary>The figure and its 95% interval in <paramref name="r"/>: Wilson for probabilities, mean +- 1.96 SE for
    /// means, the order-statistic interval for VaR and the asymptotic one for ES.</summary>
    public Figure Read(RunResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return Kind switch
        {
            MetricKind.AnyLiquidation => Probability(r.Probabilities.AnyLiquidation),
            MetricKind.Cascade => Probability(r.Probabilities.Cascade),
            MetricKind.BadDebtProbability => Probability(r.Probabilities.BadDebt),
            MetricKind.FundDepleted => Probability(r.Probabilities.FundDepleted),
            MetricKind.BadDebtMean => Mean(r.BadDebt.Mean, r.BadDebt.StandardError),
            MetricKind.LiquidatedNotionalMean => Mean(r.LiquidatedNotional.Mean, r.LiquidatedNotional.StandardError),
            MetricKind.UncoveredLossMean => Mean(r.InsuranceFund.UncoveredLoss.Mean, r.InsuranceFund.UncoveredLoss.StandardError),
            MetricKind.AdlProbability => Probability(r.Probabilities.Adl),
            MetricKind.AdlLossMean => Mean(r.Adl.LossAbsorbed.Mean, r.Adl.LossAbsorbed.StandardError),
            MetricKind.QueueMaxNotionalMean => Mean(r.Queue.MaxNotional.Mean, r.Queue.MaxNotional.StandardError),
            MetricKind.BadDebtVaR => VaR(r.BadDebt),
            MetricKind.BadDebtES => ES(r.BadDebt),
            MetricKind.LiquidatedNotionalVaR => VaR(r.LiquidatedNotional),
            MetricKind.LiquidatedNotionalES => ES(r.LiquidatedNotional),
            _ => throw new InvalidOperationException($"unknown metric {Kind}"),
        };
    }

    private static Figure Probability(ProbabilityEstimate p) => new(p.Estimate, p.Lower, p.Upper);

    private static Figure Mean(double mean, double se) =>
        new(mean, mean - Proportion.Z95 * se, mean + Proportion.Z95 * se);

    private Figure VaR(LossDistribution d)
    {
        double level = Level!.Value.Value;
        var interval = d.ValueAtRiskInterval.TryGetValue(level, out var i) ? i : new TailInterval(null, null);
        return new Figure(d.ValueAtRisk[level], interval.Lower, interval.Upper);
    }

    private Figure ES(LossDistribution d)
    {
        double level = Level!.Value.Value;
        var interval = d.ExpectedShortfallInterval.TryGetValue(level, out var i) ? i : new TailInterval(null, null);
        return new Figure(d.ExpectedShortfall[level], interval.Lower, interval.Upper);
    }
}
