using System.Globalization;
using GpuCascade.Book;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Calibration;

/// <summary>Which end of the range a calibration prefers.</summary>
public enum Preference
{
    /// <summary>The smallest feasible value (a margin as low as the targets allow).</summary>
    Low,
    /// <summary>The largest feasible value.</summary>
    High,
}

/// <summary>A target <c>METRIC&lt;=VALUE</c>: VALUE a number or the venue's insurance fund.</summary>
/// <param name="Metric">The figure tested.</param>
/// <param name="Limit">The bound, or null for the candidate's insurance fund.</param>
public sealed record CalibrationTarget(RiskMetric Metric, double? Limit)
{
    /// <summary>The limit as written: a number or <c>insuranceFund</c>.</summary>
    public string LimitText => Limit is double v ? ScenarioNumbers.Format(v) : "insuranceFund";

    /// <inheritdoc/>
    public override string ToString() => $"{Metric.Name}<={LimitText}";

    /// <summary>Parses <c>METRIC&lt;=VALUE</c>.</summary>
    /// <exception cref="FormatException">Another operator, an unknown metric or a value that is not a number.</exception>
    public static CalibrationTarget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int at = text.IndexOf("<=", StringComparison.Ordinal);
        if (at < 0)
        {
            string op = text.Contains(">=") ? ">=" : text.Contains('<') ? "<" : text.Contains('>') ? ">" : text.Contains('=') ? "=" : "";
            throw new FormatException(op.Length > 0
                ? $"{Echo.Quote(text)}: only <= targets (a figure kept below a bound); got {Echo.Quote(op)}"
                : $"expected METRIC<=VALUE, such as badDebt.es.0.99<=insuranceFund, got {Echo.Quote(text)}");
        }
        var metric = RiskMetric.Parse(text[..at]);
        string value = text[(at + 2)..].Trim();
        if (value == "insuranceFund") return new CalibrationTarget(metric, null);
        if (!ScenarioNumbers.TryParseDouble(value, out double limit) || double.IsNaN(limit))
            throw new FormatException($"{Echo.Quote(text)}: the bound must be a number or insuranceFund, got {Echo.Quote(value)}");
        return new CalibrationTarget(metric, limit);
    }
}

/// <summary>A volatility regime: every asset's diffusion volatility times <see cref="Factor"/>.</summary>
public sealed record VolatilityRegime(string Name, double Factor)
{
    /// <summary>The single regime of a calibration without <c>--regimes</c>.</summary>
    public static readonly VolatilityRegime Base = new("base", 1);

    /// <summary>Parses <c>calm=0.5,normal=1,stressed=2</c>.</summary>
    /// <exception cref="FormatException">A malformed item, a factor that is not a positive number, or a name given twice.</exception>
    public static IReadOnlyList<VolatilityRegime> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var regimes = new List<VolatilityRegime>();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = item.IndexOf('=');
            string name = eq > 0 ? item[..eq].Trim() : "";
            if (eq <= 0 || name.Length == 0)
                throw new FormatException($"expected NAME=FACTOR[,NAME=FACTOR...] such as calm=0.5,normal=1,stressed=2, got {Echo.Quote(item)}");
            if (!ScenarioNumbers.TryParseDouble(item[(eq + 1)..], out double f) || !double.IsFinite(f) || f <= 0)
                throw new FormatException($"{name}: the volatility factor must be a number > 0, got {Echo.Quote(item[(eq + 1)..].Trim())}");
            if (regimes.Any(r => r.Name == name)) throw new FormatException($"{name}: given twice");
            regimes.Add(new VolatilityRegime(name, f));
        }
        return regimes;
    }
}

/// <summary>What a calibration searches, against which targets, and how.</summary>
public sealed record CalibrationOptions
{
    /// <summary>The scenario key path varied (<see cref="ScenarioDocument"/>).</summary>
    public required string Key { get; init; }
    /// <summary>Lowest value searched.</summary>
    public required double Low { get; init; }
    /// <summary>Highest value searched.</summary>
    public required double High { get; init; }
    /// <summary>Every target must hold for a value to be feasible.</summary>
    public required IReadOnlyList<CalibrationTarget> Targets { get; init; }
    /// <summary>Evenly spaced candidates including both ends [9].</summary>
    public int Grid { get; init; } = 9;
    /// <summary>Width at which bisection stops [(High - Low) / 1000; at least 1 for an integer key].</summary>
    public double? Resolution { get; init; }
    /// <summary>Which feasible end to return [low].</summary>
    public Preference Prefer { get; init; } = Preference.Low;
    /// <summary>Test the point estimates instead of the upper bounds of their 95% intervals.</summary>
    public bool UseEstimate { get; init; }
    /// <summary>Calibrate per volatility regime; one regime (factor 1) when null.</summary>
    public IReadOnlyList<VolatilityRegime>? Regimes { get; init; }
    /// <summary>Overrides the scenario's path count.</summary>
    public long? Paths { get; init; }
    /// <summary>Overrides the scenario's seed (the out-of-sample check uses this seed + 1).</summary>
    public ulong? Seed { get; init; }
    /// <summary>The device; a new managed backend per run when null.</summary>
    public ISimulationBackend? Backend { get; init; }
    /// <summary>Progress of each candidate's run.</summary>
    public IProgress<RunProgress>? Progress { get; init; }
    /// <summary>One line per candidate evaluated.</summary>
    public Action<string>? Log { get; init; }
    /// <summary>File keeping every finished candidate (written atomically); a rerun with the same arguments skips them.</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>What happens to a cohort a candidate or regime puts below its initial margin [deleverage].</summary>
    public BreachRule Breach { get; init; } = BreachRule.Deleverage;
}

/// <summary>A target tested at a candidate.</summary>
/// <param name="Metric">The metric's name.</param>
/// <param name="Limit">The bound (the candidate's insurance fund for <c>insuranceFund</c>).</param>
/// <param name="LimitText">The bound as written.</param>
/// <param name="Value">The figure tested: the upper bound of its 95% interval (+infinity when none exists), or the
/// estimate under <see cref="CalibrationOptions.UseEstimate"/>.</param>
/// <param name="Holds">Value &lt;= Limit.</param>
/// <param name="Estimate">The figure's point estimate (shown beside the upper end that was tested).</param>
/// <param name="UpperTested">Whether <paramref name="Value"/> is the upper end of the interval (not the estimate).</param>
public sealed record TargetCheck(string Metric, double Limit, string LimitText, double Value, bool Holds, double Estimate = double.NaN,
    bool UpperTested = false)
{
    /// <summary>The check in words, with the figures formatted as the summary tables format them: the estimate beside
    /// the upper end that was tested, never the upper end alone under the metric's name
    /// (<c>badDebt.es.0.99 48.2M, upper 68.9M &gt; 50.0M</c>; with <c>--estimate</c>, <c>badDebt.es.0.99 48.2M &lt;= 50.0M</c>).</summary>
    public string Describe()
    {
        string relation = Holds ? "<=" : ">";
        string estimate = FormatFigure(Metric, Estimate);
        return UpperTested
            ? $"{Metric} {estimate}, upper {FormatFigure(Metric, Value)} {relation} {FormatFigure(Metric, Limit)}"
            : $"{Metric} {estimate} {relation} {FormatFigure(Metric, Limit)}";
    }

    /// <summary>A figure of <paramref name="metric"/> as the summary tables show it: a percentage for probabilities, USD
    /// with a suffix otherwise (48.2M); n/a where there is none (an interval without an upper end).</summary>
    public static string FormatFigure(string metric, double value) =>
        metric.StartsWith("probabilities.", StringComparison.Ordinal) ? Reporting.SummaryTable.Pct(value) : Reporting.SummaryTable.Usd(value);
}

/// <summary>Expected bad debt per dollar of notional for the cohorts in one initial-leverage bucket, as a fee.</summary>
/// <param name="Regime">The volatility regime.</param>
/// <param name="Bucket">[1,2), [2,5), [5,10), [10,20), [20,50) or [50,inf) (leverage below 1 counts in [1,2)).</param>
/// <param name="Cohorts">Cohorts in the bucket.</param>
/// <param name="Notional">Their gross notional at the starting prices.</param>
/// <param name="ExpectedBadDebt">The bad debt they leave, expected per path.</param>
/// <param name="FeeBasisPoints">1e4 x expected bad debt / notional: the add-on per horizon that would pay for it.</param>
public sealed record PricingRow(string Regime, string Bucket, int Cohorts, double Notional, double ExpectedBadDebt, double FeeBasisPoints);

/// <summary>One value evaluated: its figures, whether every target holds, and what the pricing needs.</summary>
/// <param name="Regime">Regime name.</param>
/// <param name="Value">The key's value.</param>
/// <param name="Seed">Path seed of the run.</param>
/// <param name="Paths">Paths of the run.</param>
/// <param name="Figures">Every metric (<see cref="RiskMetric.All"/>) with its 95% interval.</param>
/// <param name="InsuranceFund">The candidate's starting insurance fund.</param>
/// <param name="DeleveragedNotional">Notional removed by the deleveraging rule.</param>
/// <param name="OpeningRoundNotional">Notional the liquidating rule sent to the opening round.</param>
/// <param name="Pricing">Leverage buckets from the candidate's attribution.</param>
/// <param name="Warnings">The run's warnings.</param>
public sealed record CalibrationCandidate(
    string Regime,
    double Value,
    ulong Seed,
    long Paths,
    IReadOnlyList<KeyValuePair<string, Figure>> Figures,
    double InsuranceFund,
    double DeleveragedNotional,
    double OpeningRoundNotional,
    IReadOnlyList<PricingRow> Pricing,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The targets tested (set by the calibrator from the figures).</summary>
    public IReadOnlyList<TargetCheck> Checks { get; init; } = [];
    /// <summary>Whether every target holds.</summary>
    public bool Feasible => Checks.All(c => c.Holds);

    /// <summary>A figure by metric name.</summary>
    public Figure Figure(string metric) => Figures.First(f => f.Key == metric).Value;
}

/// <summary>The chosen value rerun on fresh paths (seed + 1, as many paths).</summary>
public sealed record OutOfSampleCheck(ulong Seed, long Paths, bool Holds, IReadOnlyList<TargetCheck> Checks,
    IReadOnlyList<KeyValuePair<string, Figure>> Figures);

/// <summary>A row of the margin table: a regime's volatilities, the chosen value, the largest leverage the venue's
/// initial margin then allows per asset (0.8 / maintenance rate of the smallest tier) and the target figures.</summary>
public sealed record MarginTableRow(
    string Regime,
    double VolatilityFactor,
    IReadOnlyList<KeyValuePair<string, double>> Volatility,
    double? Chosen,
    IReadOnlyList<KeyValuePair<string, double>> MaxLeverage,
    IReadOnlyList<KeyValuePair<string, Figure>> Figures);

/// <summary>What a calibration concluded (<see cref="CalibrationResult.Verdict"/>; the command's exit code follows it).</summary>
public enum CalibrationVerdict
{
    /// <summary>A value was chosen in every regime and holds out of sample (exit 0).</summary>
    Holds,
    /// <summary>A value was chosen, but it does not hold when rerun on fresh paths (exit 4): the figures are too close
    /// to the bound for this many paths.</summary>
    FailsOutOfSample,
    /// <summary>No value in the range meets every target (exit 3).</summary>
    Infeasible,
    /// <summary>Stopped before it finished (exit 130, 143 or 129).</summary>
    Cancelled,
}

/// <summary>How a regime's value was found.</summary>
public enum CalibrationOutcome
{
    /// <summary>Bisected between the preferred-most feasible grid point and its infeasible neighbour.</summary>
    Bisected,
    /// <summary>The preferred-most feasible grid point is within the resolution of its infeasible neighbour: no bisection
    /// was needed.</summary>
    GridWithinResolution,
    /// <summary>The preferred end of the range is feasible (and returned); some other candidate is not.</summary>
    PreferredEndFeasible,
    /// <summary>Every candidate is feasible; the preferred end is returned.</summary>
    AllFeasible,
    /// <summary>No candidate is feasible (exit code 3).</summary>
    Infeasible,
    /// <summary>Stopped before the regime finished.</summary>
    Cancelled,
}

/// <summary>The calibration of one regime.</summary>
/// <param name="Regime">The regime.</param>
/// <param name="Curve">Every candidate evaluated (grid and bisection), by value: the response curve.</param>
/// <param name="Chosen">The value returned; null when none is feasible.</param>
/// <param name="Outcome">How it was found.</param>
/// <param name="NonMonotone">Feasibility changes more than once along the grid.</param>
/// <param name="FeasibleIntervals">Runs of feasible grid points, [first, last].</param>
/// <param name="OutOfSample">The out-of-sample check of the chosen value.</param>
/// <param name="Margins">The margin table's row.</param>
/// <param name="Pricing">The leverage pricing at the chosen value.</param>
public sealed record RegimeCalibration(
    VolatilityRegime Regime,
    IReadOnlyList<CalibrationCandidate> Curve,
    double? Chosen,
    CalibrationOutcome Outcome,
    bool NonMonotone,
    IReadOnlyList<(double From, double To)> FeasibleIntervals,
    OutOfSampleCheck? OutOfSample,
    MarginTableRow? Margins,
    IReadOnlyList<PricingRow> Pricing);

/// <summary>The value that holds in every regime (the most conservative of the regimes' values), checked in each.</summary>
public sealed record AllRegimesValue(double Value, IReadOnlyList<KeyValuePair<string, bool>> Holds);

/// <summary>The result of <see cref="Calibrator.Run"/>.</summary>
public sealed record CalibrationResult
{
    /// <summary>The key calibrated.</summary>
    public required string Key { get; init; }
    /// <summary>The range searched.</summary>
    public required double Low { get; init; }
    /// <summary>The range searched.</summary>
    public required double High { get; init; }
    /// <summary>Whether the key is an integer (candidates are integers).</summary>
    public required bool IntegerKey { get; init; }
    /// <summary>Bisection resolution used.</summary>
    public required double Resolution { get; init; }
    /// <summary>The targets.</summary>
    public required IReadOnlyList<CalibrationTarget> Targets { get; init; }
    /// <summary>Which end was preferred.</summary>
    public required Preference Prefer { get; init; }
    /// <summary>Whether point estimates were tested instead of interval upper bounds.</summary>
    public required bool UseEstimate { get; init; }
    /// <summary>Paths per candidate.</summary>
    public required long Paths { get; init; }
    /// <summary>Path seed of the candidates.</summary>
    public required ulong Seed { get; init; }
    /// <summary>Per regime (one, "base", without <c>--regimes</c>).</summary>
    public required IReadOnlyList<RegimeCalibration> Regimes { get; init; }
    /// <summary>With several regimes: the value that holds in every one.</summary>
    public AllRegimesValue? AllRegimes { get; init; }
    /// <summary>The initial-margin breach rule applied.</summary>
    public BreachRule Breach { get; init; } = BreachRule.Deleverage;
    /// <summary>Whether the book was regenerated per candidate (a <c>book.generator.*</c> key).</summary>
    public required bool BookRegenerated { get; init; }
    /// <summary>Non-monotone responses and other things to know.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
    /// <summary>Stopped before every regime finished.</summary>
    public required bool Cancelled { get; init; }
    /// <summary>Candidates taken from the checkpoint rather than run.</summary>
    public required int ResumedCandidates { get; init; }
    /// <summary>Whether every regime has a feasible value (on the calibration's paths).</summary>
    public bool Feasible => !Cancelled && Regimes.All(r => r.Chosen is not null);
    /// <summary>Whether every chosen value also holds out of sample (rerun on fresh paths); false when none was chosen.</summary>
    public bool HoldsOutOfSample => Feasible && Regimes.All(r => r.OutOfSample is { Holds: true });
    /// <summary>The verdict: <see cref="CalibrationVerdict.Holds"/> only when a value was chosen in every regime and each
    /// holds out of sample too.</summary>
    public CalibrationVerdict Verdict =>
        Cancelled ? CalibrationVerdict.Cancelled
        : !Feasible ? CalibrationVerdict.Infeasible
        : HoldsOutOfSample ? CalibrationVerdict.Holds
        : CalibrationVerdict.FailsOutOfSample;
    /// <summary>How the figures were tested, in words (printed with the result).</summary>
    public string Rule => UseEstimate
        ? "a target holds when the point estimate of its figure is <= its bound (--estimate); a value is feasible when every target holds"
        : "a target holds when the upper end of its figure's 95% interval is <= its bound; a value is feasible when every target holds";

    internal static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
