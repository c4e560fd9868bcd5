using System.Collections.Immutable;
using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>Floating-point precision of a device run. Money is always accumulated in double.</summary>
public enum Precision
{
    /// <summary>The reference precision on every backend.</summary>
    Double,
    /// <summary>Opt-in fast mode for devices; the managed backend always computes in double.</summary>
    Single,
}

/// <summary>Direction of a position.</summary>
public enum PositionSide
{
    /// <summary>Long: positive units, liquidation sells.</summary>
    Long,
    /// <summary>Short: negative units, liquidation buys.</summary>
    Short,
}

/// <summary>
/// A validated, immutable description of one run: market, venue, book and Monte Carlo settings.
/// Build it from a file with <see cref="ScenarioLoader"/> or in code with <see cref="ScenarioBuilder"/>;
/// both validate, so an instance of this type is always internally consistent.
/// </summary>
public sealed record Scenario
{
    /// <summary>Horizon as written (for example <c>30d</c>).</summary>
    public required Duration Horizon { get; init; }
    /// <summary>Number of time steps; dt = horizon / steps.</summary>
    public required int Steps { get; init; }
    /// <summary>Number of Monte Carlo paths.</summary>
    public required long Paths { get; init; }
    /// <summary>Seed of the path random numbers (Philox key = low and high 32 bits).</summary>
    public required ulong Seed { get; init; }
    /// <summary>Device precision [double].</summary>
    public Precision Precision { get; init; } = Precision.Double;
    /// <summary>Assets in scenario order; every other per-asset array follows this order.</summary>
    public required ImmutableArray<AssetSpec> Assets { get; init; }
    /// <summary>Correlation of the asset shocks, row-major N x N; the identity when absent.</summary>
    public ImmutableArray<double> Correlation { get; init; } = ImmutableArray<double>.Empty;
    /// <summary>Distribution of the shocks [normal].</summary>
    public InnovationSpec Innovations { get; init; } = InnovationSpec.Normal;
    /// <summary>GARCH(1,1) variance dynamics; null for constant volatility.</summary>
    public GarchSpec? Garch { get; init; }
    /// <summary>Common crash jumps; null for none.</summary>
    public JumpSpec? Jumps { get; init; }
    /// <summary>Deterministic log-return shocks.</summary>
    public ImmutableArray<StressShock> Stress { get; init; } = ImmutableArray<StressShock>.Empty;
    /// <summary>Venue rules: margin, penalty, oracle, insurance fund, liquidation policy.</summary>
    public required VenueSpec Venue { get; init; }
    /// <summary>The book of leveraged positions.</summary>
    public required BookSpec Book { get; init; }
    /// <summary>|liquidation-driven log displacement| that makes a path a cascade [0.05].</summary>
    public double CascadeThreshold { get; init; } = 0.05;
    /// <summary>B &gt; 1: a path whose traded price leaves [F / B, F B] around the exogenous price F has run away
    /// (docs/model.md section 8.7): it stops there and is counted [1000; +infinity: only the representable range].</summary>
    public double RunawayBound { get; init; } = DefaultRunawayBound;
    /// <summary>The default <see cref="RunawayBound"/>: a traded price 1000 times above or below the exogenous one.</summary>
    public const double DefaultRunawayBound = 1000;
    /// <summary>Inputs that are not known exactly, drawn per path (docs/model.md section 8.4) [none].</summary>
    public UncertaintySpec Uncertainty { get; init; } = UncertaintySpec.None;
    /// <summary>Historical shocks in place of the drawn ones (docs/model.md section 2, "Historical shocks"); null: drawn [none].</summary>
    public HistorySpec? History { get; init; }
    /// <summary>Several venues (docs/model.md section 9), as written; null: one venue. With it, <see cref="Assets"/> are the
    /// markets (one per venue and asset, <c>BTC@binance</c>), <see cref="Venue"/> the venues' rules merged per market and
    /// <see cref="Book"/> their listed cohorts on their markets.</summary>
    public VenueSetSpec? Venues { get; init; }

    /// <summary>Time step in years (a year is 365 days).</summary>
    public double StepYears => Horizon.Years / Steps;

    /// <summary>
    /// A new scenario with the number at a key path set, bound and validated; this one is unchanged. Keys are spelt as
    /// <c>compare --vary</c> and <c>calibrate --vary</c> spell them, with the same code (<see cref="ScenarioDocument"/>):
    /// <c>venue.maintenanceMargin</c>, <c>venue.maintenanceMargin.ETH</c>, <c>venue.maintenanceMargin.BTC.tiers[0].rate</c>,
    /// <c>venue.liquidation.tranche</c>, <c>assets[BTC].depth1pct</c>, <c>book.generator.cohortsPerAsset</c>,
    /// <c>book.cohorts[whales].leverage</c>, <c>paths</c>, ... (docs/calibration.md, "Keys").
    /// </summary>
    /// <remarks>
    /// A scenario read by <see cref="ScenarioLoader"/> or <see cref="ScenarioDocument.ToScenario"/>, or made by this
    /// method, is changed in the text it came from, exactly as <c>--vary</c> changes that file. Any other (from
    /// <see cref="ScenarioBuilder"/> or a <c>with</c> expression) is changed in its JSON written as a person would
    /// write it (<see cref="ScenarioJson"/> with derived values left to derive: <c>depth1pct</c>, a long-run volatility
    /// that follows the volatility, continuous tier amounts); its listed cohorts are then in the cross-margin form
    /// (<c>book.cohorts[0].positions[0].units</c>, <c>book.cohorts[0].collateral.USD</c>).
    /// Unlike <c>compare</c>, nothing holds a generated book fixed: a margin key changes what the generator builds.
    /// </remarks>
    /// <param name="path">The key path.</param>
    /// <param name="value">The number to set.</param>
    /// <exception cref="ScenarioException">The key is malformed, unknown (with a suggestion) or not a number in the
    /// grammar, or the changed scenario is invalid; every error names its field.</exception>
    public Scenario With(string path, double value) => ScenarioDocument.Change(this, [(path, value)]);

    /// <summary>A new scenario with several key paths set, in order, then validated once (so changes that are only valid
    /// together, such as a tier's cap and the next tier's, can be made); see <see cref="With(string, double)"/>.</summary>
    /// <param name="changes">(key path, number) pairs.</param>
    /// <exception cref="ScenarioException">A key is malformed, unknown or not a number, or the changed scenario is
    /// invalid; every error names its field and the changes.</exception>
    public Scenario With(params (string Path, double Value)[] changes) => ScenarioDocument.Change(this, changes);

    /// <summary>Index of an asset by symbol (ordinal, case-sensitive), or -1.</summary>
    public int AssetIndex(string symbol)
    {
        for (int i = 0; i < Assets.Length; i++)
            if (Assets[i].Symbol == symbol) return i;
        return -1;
    }

    // Records compare ImmutableArray members by reference; scenarios compare by content
    // (a file and the builder give equal scenarios). Keep these in step with the properties.
    /// <summary>Value equality, arrays compared element by element.</summary>
    public bool Equals(Scenario? other) =>
        other is not null && Horizon == other.Horizon && Steps == other.Steps && Paths == other.Paths
        && Seed == other.Seed && Precision == other.Precision && Sequence.Equal(Assets, other.Assets)
        && Sequence.Equal(Correlation, other.Correlation) && Equals(Innovations, other.Innovations)
        && Equals(Garch, other.Garch) && Equals(Jumps, other.Jumps) && Sequence.Equal(Stress, other.Stress)
        && Equals(Venue, other.Venue) && Equals(Book, other.Book)
        && CascadeThreshold.Equals(other.CascadeThreshold) && RunawayBound.Equals(other.RunawayBound) && Equals(Uncertainty, other.Uncertainty)
        && Equals(History, other.History) && Equals(Venues, other.Venues);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(
        HashCode.Combine(Horizon, Steps, Paths, Seed, Precision, CascadeThreshold),
        Sequence.Hash(Assets), Sequence.Hash(Correlation), Innovations, Garch, Jumps, Sequence.Hash(Stress),
        HashCode.Combine(Venue, Book, Uncertainty, RunawayBound, History, Venues));
}

/// <summary>A length of time as written in a scenario (<c>30s</c>, <c>5m</c>, <c>6h</c>, <c>1d</c>).</summary>
/// <param name="Text">The text as written, kept for reports.</param>
/// <param name="Years">The length in years of 365 days.</param>
public readonly record struct Duration(string Text, double Years)
{
    /// <summary>Seconds in a year of 365 days.</summary>
    public const double SecondsPerYear = 365.0 * 86400.0;

    /// <summary>The length in seconds.</summary>
    public double Seconds => Years * SecondsPerYear;

    /// <inheritdoc/>
    public override string ToString() => Text;

    /// <summary>Parses <c>&lt;number&gt;&lt;unit&gt;</c> with unit s, m, h or d.</summary>
    /// <returns>false with a reason when the text is not a duration.</returns>
    public static bool TryParse(string text, out Duration duration, out string error)
    {
        duration = default;
        error = "";
        string t = text.Trim();
        if (t.Length < 2)
        {
            error = $"expected a duration such as 30s, 5m, 6h or 1d, got {Echo.Quote(text)}";
            return false;
        }
        double unitSeconds = t[^1] switch
        {
            's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => double.NaN,
        };
        if (double.IsNaN(unitSeconds)
            || !double.TryParse(t.AsSpan(0, t.Length - 1), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
        {
            error = $"expected a duration such as 30s, 5m, 6h or 1d, got {Echo.Quote(text)}";
            return false;
        }
        if (value <= 0)
        {
            error = $"must be > 0, got {Echo.Quote(text)}";
            return false;
        }
        duration = new Duration(t, value * unitSeconds / SecondsPerYear);
        return true;
    }

    /// <summary>Parses a duration or throws <see cref="FormatException"/>.</summary>
    public static Duration Parse(string text) =>
        TryParse(text, out var d, out var error) ? d : throw new FormatException(error);
}

/// <summary>One asset: its price process and its liquidity.</summary>
public sealed record AssetSpec
{
    /// <summary>Ticker, unique in the scenario.</summary>
    public required string Symbol { get; init; }
    /// <summary>Starting price in USD.</summary>
    public required double Price { get; init; }
    /// <summary>Starting annualised volatility (and the long-run one unless given).</summary>
    public required double Volatility { get; init; }
    /// <summary>Long-run annualised volatility sigma-bar (GARCH target, stress-thinning reference).</summary>
    public required double LongRunVolatility { get; init; }
    /// <summary>Annualised drift of the diffusion [0].</summary>
    public double Drift { get; init; }
    /// <summary>How a liquidation flow moves the price.</summary>
    public required ImpactSpec Impact { get; init; }
    /// <summary>Permanent share theta of each price move [0.5].</summary>
    public double PermanentImpact { get; init; } = 0.5;
    /// <summary>Half-life of transient impact [30m].</summary>
    public Duration ImpactHalfLife { get; init; } = new("30m", 30.0 * 60.0 / Duration.SecondsPerYear);
    /// <summary>Loading beta of the common crash jump [1].</summary>
    public double JumpBeta { get; init; } = 1.0;
    /// <summary>Collateral weight w = 1 - haircut when held as collateral, in (0, 1] [1].</summary>
    public double CollateralWeight { get; init; } = 1.0;
    /// <summary>Depth that thins under stress (docs/model.md section 8.1); null: the depth is constant.</summary>
    public LiquiditySpec? Liquidity { get; init; }
    /// <summary>The asset's other mechanisms (docs/model.md section 8), each under its own key (<see cref="MechanismSpec"/>) [none].</summary>
    public MechanismSet Mechanisms { get; init; } = MechanismSet.Empty;
}

/// <summary>Price impact model of an asset (docs/model.md section 3).</summary>
public abstract record ImpactSpec;

/// <summary>Linear impact: a flow of <see cref="Depth1Pct"/> USD moves the log price by 1%.</summary>
/// <param name="Depth1Pct">USD that moves the price 1%; positive.</param>
public sealed record LinearImpact(double Depth1Pct) : ImpactSpec;

/// <summary>Square-root impact: Delta = sign(Q) Y (sigma / sqrt(365)) sqrt(|Q| / V).</summary>
/// <param name="DailyVolume">Daily traded volume V in USD; positive.</param>
/// <param name="Y">Impact coefficient Y [1].</param>
public sealed record SquareRootImpact(double DailyVolume, double Y) : ImpactSpec;

/// <summary>Distribution of the step shocks.</summary>
/// <param name="StudentTDof">Degrees of freedom nu &gt; 2 of a multivariate Student-t, or null for normal.</param>
public sealed record InnovationSpec(double? StudentTDof)
{
    /// <summary>Gaussian shocks.</summary>
    public static readonly InnovationSpec Normal = new((double?)null);
}

/// <summary>GARCH(1,1) with per-step coefficients: h &lt;- omega + alpha r^2/dt + beta h, alpha + beta &lt; 1.</summary>
public sealed record GarchSpec(double Alpha, double Beta);

/// <summary>Common crash jump: probability Intensity * dt per step, log size ~ N(MeanLogSize, LogSizeVolatility^2).</summary>
/// <param name="Intensity">lambda, jumps per year.</param>
/// <param name="MeanLogSize">muJ, mean log size (negative for crashes).</param>
/// <param name="LogSizeVolatility">sJ, standard deviation of the log size.</param>
public sealed record JumpSpec(double Intensity, double MeanLogSize, double LogSizeVolatility);

/// <summary>A deterministic log-return shock added to an asset's fundamental at a step (steps from 0).</summary>
public sealed record StressShock(int Step, int AssetIndex, double LogReturn);

/// <summary>Venue rules.</summary>
public sealed record VenueSpec
{
    /// <summary>Maintenance-margin rule per asset, in asset order.</summary>
    public required ImmutableArray<MarginRule> MaintenanceMargin { get; init; }
    /// <summary>Liquidation penalty pi as a fraction of closed notional [0.01].</summary>
    public double LiquidationPenalty { get; init; } = 0.01;
    /// <summary>Oracle delay in steps [0 = live].</summary>
    public int OracleDelaySteps { get; init; }
    /// <summary>Starting insurance fund in USD [0].</summary>
    public double InsuranceFund { get; init; }
    /// <summary>Full or partial liquidation [full].</summary>
    public LiquidationPolicy Liquidation { get; init; } = LiquidationPolicy.Full;
    /// <summary>Maximum liquidation rounds per step [64].</summary>
    public int RoundCap { get; init; } = 64;
    /// <summary>Auto-deleveraging (docs/model.md section 8.3): uncovered loss is absorbed by open cohorts in profit [false].</summary>
    public bool Adl { get; init; }
    /// <summary>Liquidation capacity (docs/model.md section 8.2): USD of position notional per hour per asset the liquidation engine can
    /// send to the book [infinity].</summary>
    public double LiquidationCapacity { get; init; } = double.PositiveInfinity;
    /// <summary>The venue's other mechanisms (docs/model.md section 8), each under its own key (<see cref="MechanismSpec"/>) [none].</summary>
    public MechanismSet Mechanisms { get; init; } = MechanismSet.Empty;

    /// <summary>Value equality, the margin rules compared element by element.</summary>
    public bool Equals(VenueSpec? other) =>
        other is not null && Sequence.Equal(MaintenanceMargin, other.MaintenanceMargin)
        && LiquidationPenalty.Equals(other.LiquidationPenalty) && OracleDelaySteps == other.OracleDelaySteps
        && InsuranceFund.Equals(other.InsuranceFund) && Equals(Liquidation, other.Liquidation)
        && RoundCap == other.RoundCap && Adl == other.Adl && LiquidationCapacity.Equals(other.LiquidationCapacity)
        && Equals(Mechanisms, other.Mechanisms);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(
        HashCode.Combine(Sequence.Hash(MaintenanceMargin), LiquidationPenalty, OracleDelaySteps, InsuranceFund, Liquidation, RoundCap, Adl,
        LiquidationCapacity), Mechanisms);
}

/// <summary>Maintenance-margin rule of one asset.</summary>
public abstract record MarginRule;

/// <summary>A fixed maintenance rate m in (0, 1).</summary>
public sealed record StaticMargin(double Rate) : MarginRule;

/// <summary>Exchange-style brackets by notional per account: requirement = notional * rate - amount in the
/// first bracket whose cap is &gt;= notional (the last bracket beyond its cap).</summary>
public sealed record TieredMargin(ImmutableArray<MarginTier> Tiers) : MarginRule
{
    /// <summary>Value equality, tiers compared element by element.</summary>
    public bool Equals(TieredMargin? other) => other is not null && Sequence.Equal(Tiers, other.Tiers);

    /// <inheritdoc/>
    public override int GetHashCode() => Sequence.Hash(Tiers);
}

/// <summary>One bracket of a <see cref="TieredMargin"/>.</summary>
/// <param name="Cap">Upper notional per account in USD (inclusive); +infinity allowed on the last.</param>
/// <param name="Rate">Maintenance rate in the bracket.</param>
/// <param name="Amount">Maintenance amount subtracted (USD per account), making the requirement continuous.</param>
public sealed record MarginTier(double Cap, double Rate, double Amount);

/// <summary>Volatility-scaled rate m = max(Floor, Z * sigma_now * sqrt(CloseOutHorizon)).</summary>
public sealed record DynamicMargin(double Floor, double Z, Duration CloseOutHorizon) : MarginRule;

/// <summary>How much of a liquidatable cohort one round closes.</summary>
/// <param name="Tranche">Fraction f closed per liquidation: 1 = full.</param>
/// <param name="DustNotional">Partial mode: remaining notional per account (USD) below which the cohort is closed entirely [10].</param>
public sealed record LiquidationPolicy(double Tranche, double DustNotional)
{
    /// <summary>Full liquidation.</summary>
    public static readonly LiquidationPolicy Full = new(1.0, 0.0);
    /// <summary>Default dust size of partial liquidation, USD of notional per account.</summary>
    public const double DefaultDustNotional = 10.0;

    /// <summary>Partial liquidation closing <paramref name="tranche"/> of a cohort per round.</summary>
    public static LiquidationPolicy Partial(double tranche, double dustNotional = DefaultDustNotional) =>
        new(tranche, dustNotional);
    /// <summary>True for full liquidation.</summary>
    public bool IsFull => Tranche >= 1.0;
}

/// <summary>The book: explicit cohorts plus an optional generator.</summary>
public sealed record BookSpec
{
    /// <summary>Cohorts as written (generated ones are added when the plan is built).</summary>
    public ImmutableArray<CohortSpec> Cohorts { get; init; } = ImmutableArray<CohortSpec>.Empty;
    /// <summary>Generator of a synthetic book; null for none.</summary>
    public BookGeneratorSpec? Generator { get; init; }

    /// <summary>Value equality, cohorts compared element by element.</summary>
    public bool Equals(BookSpec? other) =>
        other is not null && Sequence.Equal(Cohorts, other.Cohorts) && Equals(Generator, other.Generator);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Sequence.Hash(Cohorts), Generator);
}

/// <summary>
/// A cohort of identical accounts; all quantities are totals over its <see cref="Accounts"/>.
/// Isolated positions, cross-margin accounts and coin-margined accounts are all cohorts.
/// </summary>
public sealed record CohortSpec
{
    /// <summary>Label for reports and error messages (optional).</summary>
    public string? Name { get; init; }
    /// <summary>Number of identical accounts it stands for [1].</summary>
    public double Accounts { get; init; } = 1;
    /// <summary>Positions (signed units and entry prices).</summary>
    public required ImmutableArray<PositionSpec> Positions { get; init; }
    /// <summary>USD collateral (the starting balance b).</summary>
    public double UsdCollateral { get; init; }
    /// <summary>Non-USD collateral holdings.</summary>
    public ImmutableArray<CollateralHolding> Collateral { get; init; } = ImmutableArray<CollateralHolding>.Empty;
    /// <summary>Liquidated in an opening round at the starting prices, before step 0's exogenous move (impact and all):
    /// the <c>--breach liquidate</c> rule of <c>compare</c> and <c>calibrate</c> for a cohort below its initial margin.
    /// Such a cohort may start below maintenance. Not part of the scenario file grammar [false].</summary>
    public bool LiquidateAtStart { get; init; }

    /// <summary>Value equality, positions and holdings compared element by element.</summary>
    public bool Equals(CohortSpec? other) =>
        other is not null && Name == other.Name && Accounts.Equals(other.Accounts)
        && Sequence.Equal(Positions, other.Positions) && UsdCollateral.Equals(other.UsdCollateral)
        && Sequence.Equal(Collateral, other.Collateral) && LiquidateAtStart == other.LiquidateAtStart;

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(Name, Accounts, Sequence.Hash(Positions), UsdCollateral, Sequence.Hash(Collateral), LiquidateAtStart);
}

/// <summary>A position of a cohort.</summary>
/// <param name="AssetIndex">Asset in scenario order.</param>
/// <param name="Units">Signed units of the asset (negative = short).</param>
/// <param name="EntryPrice">Entry price in USD.</param>
public sealed record PositionSpec(int AssetIndex, double Units, double EntryPrice);

/// <summary>Non-USD collateral: units of an asset, counted at its collateral weight.</summary>
public sealed record CollateralHolding(int AssetIndex, double Units);

/// <summary>Parameters of the synthetic book generator (see docs/model.md for its families).</summary>
public sealed record BookGeneratorSpec
{
    /// <summary>Seed of the book, separate from the path seed [1].</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Cohorts generated per asset [100].</summary>
    public int CohortsPerAsset { get; init; } = 100;
    /// <summary>Share of cohorts that are two-position cross-margin accounts [0].</summary>
    public double CrossMarginShare { get; init; }
    /// <summary>Share of cohorts whose collateral is the asset itself (coin-margined) [0].</summary>
    public double CoinMarginedShare { get; init; }
    /// <summary>Accounts each generated cohort stands for [100].</summary>
    public double AccountsPerCohort { get; init; } = 100;
    /// <summary>Per-asset open interest and leverage profile.</summary>
    public required ImmutableArray<GeneratorAssetSpec> Assets { get; init; }

    /// <summary>Value equality, asset profiles compared element by element.</summary>
    public bool Equals(BookGeneratorSpec? other) =>
        other is not null && Seed == other.Seed && CohortsPerAsset == other.CohortsPerAsset
        && CrossMarginShare.Equals(other.CrossMarginShare) && CoinMarginedShare.Equals(other.CoinMarginedShare)
        && AccountsPerCohort.Equals(other.AccountsPerCohort) && Sequence.Equal(Assets, other.Assets);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(
        Seed, CohortsPerAsset, CrossMarginShare, CoinMarginedShare, AccountsPerCohort, Sequence.Hash(Assets));
}

/// <summary>Generator parameters of one asset.</summary>
public sealed record GeneratorAssetSpec
{
    /// <summary>Asset in scenario order.</summary>
    public required int AssetIndex { get; init; }
    /// <summary>Open interest in USD (longs plus shorts, at entry).</summary>
    public required double OpenInterest { get; init; }
    /// <summary>Share of open interest held long [0.5].</summary>
    public double LongShare { get; init; } = 0.5;
    /// <summary>Median leverage of the lognormal leverage distribution [10].</summary>
    public double LeverageMedian { get; init; } = 10;
    /// <summary>Log-standard deviation of leverage [0.6].</summary>
    public double LeverageDispersion { get; init; } = 0.6;
    /// <summary>Largest leverage drawn (also kept below 1/m) [50].</summary>
    public double LeverageMax { get; init; } = 50;
    /// <summary>Log-standard deviation of entry prices around the current price [0.05].</summary>
    public double EntryDispersion { get; init; } = 0.05;
    /// <summary>Share of the open interest held by delta-neutral accounts (basis and hedged positions, their hedge outside
    /// the venue), in [0, 1): they are not liquidated into a move, so the generated book holds only the rest of each side
    /// (docs/model.md, "Book generator") [0].</summary>
    public double HedgedShare { get; init; }
}
