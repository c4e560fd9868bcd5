using GpuCascade.Statistics;

namespace GpuCascade.Reporting;

/// <summary>A mean with its Monte Carlo standard error.</summary>
public readonly record struct MeanEstimate(double Mean, double StandardError)
{
    /// <summary>From accumulated moments.</summary>
    public static MeanEstimate From(in Moments m) => new(m.Mean, m.StandardError);
}

/// <summary>Distribution of a per-path loss: mean, standard error, VaR and expected shortfall by tail level, keyed by
/// the level as a number (<c>ExpectedShortfall[0.99]</c>; <see cref="TailFigures{T}"/>).</summary>
/// <param name="Mean">Mean per path.</param>
/// <param name="StandardError">Monte Carlo standard error of the mean.</param>
/// <param name="ValueAtRisk">VaR_a: the ceil(n a)-th smallest per-path value, by level.</param>
/// <param name="ExpectedShortfall">ES_a: the mean of the largest ceil(n (1 - a)) per-path values, by level.</param>
public sealed record LossDistribution(
    double Mean,
    double StandardError,
    TailFigures<double> ValueAtRisk,
    TailFigures<double> ExpectedShortfall)
{
    /// <summary>95% interval of each VaR (order statistics, distribution-free; <see cref="TailIntervals"/>).</summary>
    public TailFigures<TailInterval> ValueAtRiskInterval { get; init; } = TailFigures<TailInterval>.Empty;
    /// <summary>95% interval of each ES (asymptotic normal; <see cref="TailIntervals"/>).</summary>
    public TailFigures<TailInterval> ExpectedShortfallInterval { get; init; } = TailFigures<TailInterval>.Empty;
}

/// <summary>Probabilities of the run's events, each with a Wilson 95% interval.</summary>
public sealed record EventProbabilities(
    ProbabilityEstimate AnyLiquidation,
    ProbabilityEstimate Cascade,
    ProbabilityEstimate BadDebt,
    ProbabilityEstimate FundDepleted)
{
    /// <summary>P(the price ran away on the path): it passed the runaway bound or left the representable range
    /// (docs/model.md section 8.7); 0 with an empty interval for a result built by hand.</summary>
    public ProbabilityEstimate Runaway { get; init; }
}

/// <summary>
/// The figures of the mechanisms (auto-deleveraging, the liquidation queue, ...), by the output schema's keys
/// (<see cref="GpuCascade.Paths.OutputSchema"/>): the mean of each of their rows (<c>adl.lossAbsorbed</c>) and the probability
/// of each event (<c>probabilities.adl</c>), in schema order. A mechanism that is off reports zeros.
/// </summary>
/// <param name="Means">Per-path means with their standard errors, by row key.</param>
/// <param name="Probabilities">Probabilities with Wilson 95% intervals, by their JSON key.</param>
public sealed record MechanismFigures(
    IReadOnlyList<KeyValuePair<string, MeanEstimate>> Means,
    IReadOnlyList<KeyValuePair<string, ProbabilityEstimate>> Probabilities)
{
    /// <summary>None (a result built by hand).</summary>
    public static readonly MechanismFigures Empty = new([], []);

    /// <summary>The distributions of the rows with a tail (<c>returningLiquidity.loss</c>): mean, VaR and ES with their
    /// intervals, by row key, in schema order. Such a row is in <see cref="Means"/> too.</summary>
    public IReadOnlyList<KeyValuePair<string, LossDistribution>> Tails { get; init; } = [];

    /// <summary>The mechanisms of the catalogue (docs/architecture.md, "Adding a mechanism") that the run's scenario has, by
    /// key (<c>returningLiquidity</c>); the summary table shows their figures.</summary>
    public IReadOnlyList<string> On { get; init; } = [];

    /// <summary>The distribution of the output <paramref name="key"/>, for a row with a tail.</summary>
    /// <exception cref="KeyNotFoundException">No such mechanism output with a tail; the message lists them.</exception>
    public LossDistribution Tail(string key) => Find(Tails, key);

    /// <summary>The mean of the output <paramref name="key"/> (<c>adl.lossAbsorbed</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such mechanism output; the message lists them.</exception>
    public MeanEstimate Mean(string key) => Find(Means, key);

    /// <summary>The probability <paramref name="key"/> (<c>probabilities.adl</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such mechanism probability; the message lists them.</exception>
    public ProbabilityEstimate Probability(string key) => Find(Probabilities, key);

    private static T Find<T>(IReadOnlyList<KeyValuePair<string, T>> figures, string key)
    {
        foreach (var (k, v) in figures)
            if (k == key) return v;
        throw new KeyNotFoundException($"no mechanism figure {Operations.Echo.Quote(key)}; there are {string.Join(", ", figures.Select(f => f.Key))}");
    }
}

/// <summary>Per-asset results.</summary>
/// <param name="MaxDrawdown">1 - min(mid)/p0 of the traded price.</param>
/// <param name="ExogenousMaxDrawdown">The same without any impact.</param>
/// <param name="Amplification">Mean drawdown / mean exogenous drawdown (NaN when the latter is 0).</param>
/// <param name="LiquidatedNotional">Liquidated notional of this asset per path.</param>
/// <param name="MaxDisplacement">Largest |liquidation-driven log displacement| per path.</param>
/// <param name="MinDepthFactor">The path's lowest depth factor u g (docs/model.md sections 8.1, 8.4); 1 with constant, known depth.</param>
public sealed record AssetRisk(
    MeanEstimate MaxDrawdown,
    MeanEstimate ExogenousMaxDrawdown,
    double Amplification,
    MeanEstimate LiquidatedNotional,
    MeanEstimate MaxDisplacement,
    MeanEstimate MinDepthFactor);

/// <summary>Insurance fund statistics.</summary>
public sealed record FundSummary(double Start, MeanEstimate End, MeanEstimate Minimum, MeanEstimate Penalties,
    MeanEstimate BadDebtPaid, MeanEstimate UncoveredLoss);

/// <summary>Counts on fixed bins (see <see cref="Histogram"/>).</summary>
public sealed record HistogramSummary(IReadOnlyList<double> Edges, IReadOnlyList<long> Counts);

/// <summary>
/// What the engine did, in counts: a measure of work, not of risk. Deterministic and the same on every backend (they
/// all screen alike, docs/model.md "Screening"), so it lies outside <see cref="RunInfo"/>.
/// </summary>
/// <param name="PathSteps">Paths x steps.</param>
/// <param name="MarginChecks">Margin checks of one cohort (equity against requirement) performed; exact screening skips
/// the cohorts it proves healthy, so this is usually far below path-steps x cohorts.</param>
/// <param name="CohortLiquidations">Liquidations performed, one per cohort and round.</param>
public sealed record RunWork(long PathSteps, long MarginChecks, long CohortLiquidations)
{
    /// <summary>Margin checks per path-step (0 without path-steps).</summary>
    public double MarginChecksPerPathStep => PathSteps > 0 ? (double)MarginChecks / PathSteps : 0;
}

/// <summary>What one cohort contributed to the run's liquidations and bad debt (docs/model.md, "Attribution").</summary>
/// <param name="Name">The cohort's name (generated cohorts: gen:ASSET:side:j; unnamed ones: "cohort i").</param>
/// <param name="Assets">Symbols of its positions.</param>
/// <param name="Side">long, short, mixed (positions on both sides) or none (collateral only).</param>
/// <param name="Leverage">Gross notional over weighted collateral, at the starting prices.</param>
/// <param name="Notional">Gross notional at the starting prices.</param>
/// <param name="PLiquidated">Probability that the path liquidates it (any fill), Wilson 95% interval.</param>
/// <param name="LiquidatedNotional">Expected notional liquidated from it per path.</param>
/// <param name="BadDebt">Expected bad debt it leaves per path; the cohorts' values add up to the run's mean bad debt.</param>
/// <param name="TailShare">Its share of the bad debt on the ceil(0.01 n) paths with the largest bad debt; null when they have none.</param>
public sealed record CohortAttribution(
    string Name,
    IReadOnlyList<string> Assets,
    string Side,
    double Leverage,
    double Notional,
    ProbabilityEstimate PLiquidated,
    double LiquidatedNotional,
    double BadDebt,
    double? TailShare);

/// <summary>Facts about the execution that vary between identical runs (timings, host, the command line).</summary>
public sealed record RunInfo(
    string BackendDescription,
    double ElapsedSeconds,
    double PathStepsPerSecond,
    bool Cancelled,
    DateTimeOffset StartedUtc,
    string Host,
    string EngineVersion)
{
    /// <summary>The command line that started the run, when a command did.</summary>
    public string? CommandLine { get; init; }
    /// <summary>Paths taken from a checkpoint rather than simulated by this process (0 for a fresh run).</summary>
    public long ResumedPaths { get; init; }
    /// <summary>For a merged result: the partial files and their path ranges, in path order.</summary>
    public IReadOnlyList<string> MergedFrom { get; init; } = [];
}

/// <summary>What produced a result: identical for identical inputs on the same engine build, so two results can be
/// checked to be of the same computation.</summary>
/// <param name="EngineVersion">The engine's version.</param>
/// <param name="EngineCommit">The git commit of the build.</param>
/// <param name="ScenarioJson">The scenario as run (after defaults and overrides), canonical JSON (<see cref="Scenarios.ScenarioJson"/>).</param>
/// <param name="ScenarioSha256">SHA-256 of <paramref name="ScenarioJson"/>.</param>
/// <param name="BookSha256">SHA-256 of the generated cohorts' canonical JSON; null without a generator.</param>
public sealed record RunManifest(string EngineVersion, string EngineCommit, string ScenarioJson, string ScenarioSha256, string? BookSha256);

/// <summary>The aggregated result of a run: what the JSON report, the CSV and the summary table show.</summary>
public sealed record RunResult
{
    /// <summary>Paths simulated (fewer than requested when the run was cancelled).</summary>
    public required long Paths { get; init; }
    /// <summary>Paths requested.</summary>
    public required long RequestedPaths { get; init; }
    /// <summary>Path seed.</summary>
    public required ulong Seed { get; init; }
    /// <summary>Backend name.</summary>
    public required string Backend { get; init; }
    /// <summary>Steps per path.</summary>
    public required int Steps { get; init; }
    /// <summary>Horizon as written.</summary>
    public required string Horizon { get; init; }
    /// <summary>Cohorts simulated.</summary>
    public required int Cohorts { get; init; }
    /// <summary>Event probabilities.</summary>
    public required EventProbabilities Probabilities { get; init; }
    /// <summary>Bad debt per path.</summary>
    public required LossDistribution BadDebt { get; init; }
    /// <summary>Liquidated notional per path.</summary>
    public required LossDistribution LiquidatedNotional { get; init; }
    /// <summary>Per-asset results by symbol, in scenario order.</summary>
    public required IReadOnlyList<KeyValuePair<string, AssetRisk>> Assets { get; init; }
    /// <summary>Paths on which some step hit the round cap with liquidations pending.</summary>
    public required long RoundCapHits { get; init; }
    /// <summary>Paths whose traded price ran away (docs/model.md section 8.7): each stopped there.</summary>
    public long Runaways { get; init; }
    /// <summary>Largest rounds in one step, per path.</summary>
    public required MeanEstimate MaxRoundsInStep { get; init; }
    /// <summary>Insurance fund.</summary>
    public required FundSummary InsuranceFund { get; init; }
    /// <summary>The mechanisms' figures by key (<c>Mechanisms.Mean("adl.lossAbsorbed")</c>); zeros for a mechanism that is off.</summary>
    public MechanismFigures Mechanisms { get; init; } = MechanismFigures.Empty;
    /// <summary>Histograms: "badDebt" and "maxDrawdown.&lt;symbol&gt;".</summary>
    public required IReadOnlyList<KeyValuePair<string, HistogramSummary>> Histograms { get; init; }
    /// <summary>Work done: path-steps, margin checks, cohort liquidations.</summary>
    public required RunWork Work { get; init; }
    /// <summary>What the reader should know before trusting a figure (deterministic: a tail figure resting on fewer than
    /// 50 paths, an interval bound that does not exist), also printed on stderr by the CLI.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>Per cohort, in plan order: liquidation probability, expected liquidated notional and bad debt, tail share
    /// (empty when a backend did not record per-cohort totals).</summary>
    public IReadOnlyList<CohortAttribution> CohortAttribution { get; init; } = [];
    /// <summary>The outputs over time (<see cref="Simulation.RunOptions.Series"/>, <c>run --series</c>); null when not recorded.</summary>
    public SeriesResult? Series { get; init; }
    /// <summary>The full records of the first paths (<see cref="Simulation.RunOptions.SamplePaths"/>); null when not kept.</summary>
    public SamplePathSet? SamplePaths { get; init; }
    /// <summary>The liquidation ladder of the scenario's book (docs/model.md, "The liquidation ladder"): 20 levels of 1%
    /// per asset and direction; null for results built by hand.</summary>
    public Book.LiquidationLadder? Ladder { get; init; }
    /// <summary>The venues' names, in order, with several venues (docs/model.md section 9): venue v's figures are the
    /// mechanism outputs <c>venues.v{v}.*</c> and probabilities <c>probabilities.venue{v}*</c>; empty with one venue.</summary>
    public IReadOnlyList<string> VenueNames { get; init; } = [];
    /// <summary>What produced the result (engine, scenario as run, hashes); null for results built by hand.</summary>
    public RunManifest? Manifest { get; init; }
    /// <summary>Execution facts (vary between identical runs).</summary>
    public required RunInfo Run { get; init; }
}
