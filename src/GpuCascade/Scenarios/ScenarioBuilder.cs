using System.Collections.Immutable;
using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

/// <summary>
/// Fluent construction of a <see cref="Scenario"/> in research code. Assets are named by symbol; symbols are
/// resolved and the result validated by <see cref="Build"/>, which reports problems as a
/// <see cref="ScenarioException"/> with the field paths of the file format (the builder's cohorts are
/// <c>book.cohorts[i]</c> in the order they were added).
/// </summary>
/// <example>
/// <code>
/// var scenario = new ScenarioBuilder()
///     .Horizon("1d").Steps(288).Paths(20_000).Seed(7)
///     .Asset("BTC", price: 100_000, volatility: 0.8, depth1pct: 5e7)
///     .Venue(v => v.MaintenanceMargin(0.005).InsuranceFund(1e7))
///     .Isolated("BTC", PositionSide.Long, notional: 1e9, leverage: 10)
///     .Build();
/// </code>
/// </example>
public sealed class ScenarioBuilder
{
    private readonly List<ScenarioError> pending = new();
    private readonly List<AssetBuilder> assets = new();
    private readonly List<(string A, string B, double Rho)> pairCorrelations = new();
    private readonly List<(int Step, string Asset, double LogReturn)> stress = new();
    private readonly List<Func<Diagnostics, SymbolTable, IReadOnlyList<double>, string, CohortSpec?>> cohorts = new();
    private readonly VenueBuilder venue = new();
    private GeneratorBuilder? generator;
    private Duration? horizon;
    private int? steps;
    private long? paths;
    private ulong? seed;
    private Precision? precision;
    private double? cascadeThreshold, runawayBound;
    private double[,]? correlation;
    private InnovationSpec? innovations;
    private GarchSpec? garch;
    private JumpSpec? jumps;
    private HistorySpec? history;

    /// <summary>Horizon such as <c>30s</c>, <c>5m</c>, <c>6h</c> or <c>1d</c>.</summary>
    public ScenarioBuilder Horizon(string duration)
    {
        pending.RemoveAll(e => e.Path == "horizon");
        horizon = ParseDuration(duration, "horizon", pending);
        return this;
    }

    /// <summary>Horizon as a <see cref="Duration"/>.</summary>
    public ScenarioBuilder Horizon(Duration duration)
    {
        pending.RemoveAll(e => e.Path == "horizon");
        horizon = duration;
        return this;
    }

    /// <summary>Number of time steps (&gt;= 1).</summary>
    public ScenarioBuilder Steps(int count) { steps = count; return this; }

    /// <summary>Number of Monte Carlo paths (&gt;= 1).</summary>
    public ScenarioBuilder Paths(long count) { paths = count; return this; }

    /// <summary>Seed of the path random numbers.</summary>
    public ScenarioBuilder Seed(ulong value) { seed = value; return this; }

    /// <summary>Device precision [double].</summary>
    public ScenarioBuilder Precision(Precision value) { precision = value; return this; }

    /// <summary>|liquidation-driven log displacement| that makes a path a cascade [0.05].</summary>
    public ScenarioBuilder CascadeThreshold(double threshold) { cascadeThreshold = threshold; return this; }

    /// <summary>Sets <see cref="Scenario.RunawayBound"/>: the factor between traded and exogenous price at which a path has run away.</summary>
    public ScenarioBuilder RunawayBound(double bound) { runawayBound = bound; return this; }

    /// <summary>Adds an asset with linear impact (<paramref name="depth1pct"/> USD moves the price 1%).</summary>
    /// <param name="symbol">Unique ticker.</param>
    /// <param name="price">Starting price in USD.</param>
    /// <param name="volatility">Starting (and, unless set, long-run) annualised volatility.</param>
    /// <param name="depth1pct">USD of flow that moves the price 1%.</param>
    /// <param name="configure">Further settings (drift, impact model, collateral weight, ...).</param>
    public ScenarioBuilder Asset(string symbol, double price, double volatility, double depth1pct,
        Action<AssetBuilder>? configure = null)
    {
        var asset = new AssetBuilder(symbol, price, volatility).LinearImpact(depth1pct);
        configure?.Invoke(asset);
        assets.Add(asset);
        return this;
    }

    /// <summary>Adds an asset whose impact model <paramref name="configure"/> sets (for example <see cref="AssetBuilder.SquareRootImpact"/>).</summary>
    public ScenarioBuilder Asset(string symbol, double price, double volatility, Action<AssetBuilder> configure)
    {
        var asset = new AssetBuilder(symbol, price, volatility);
        configure(asset);
        assets.Add(asset);
        return this;
    }

    /// <summary>The full correlation matrix, rows and columns in the order the assets were added.</summary>
    public ScenarioBuilder Correlation(double[,] matrix)
    {
        correlation = (double[,])matrix.Clone();
        return this;
    }

    /// <summary>Sets one pair's correlation (both entries), on top of the identity or of <see cref="Correlation(double[,])"/>.</summary>
    public ScenarioBuilder Correlation(string asset, string otherAsset, double rho)
    {
        pairCorrelations.Add((asset, otherAsset, rho));
        return this;
    }

    /// <summary>Gaussian shocks (the default).</summary>
    public ScenarioBuilder Normal() { innovations = InnovationSpec.Normal; return this; }

    /// <summary>Multivariate Student-t shocks with <paramref name="dof"/> &gt; 2 degrees of freedom.</summary>
    public ScenarioBuilder StudentT(double dof) { innovations = new InnovationSpec(dof); return this; }

    /// <summary>GARCH(1,1) with per-step coefficients, alpha + beta &lt; 1.</summary>
    public ScenarioBuilder Garch(double alpha, double beta) { garch = new GarchSpec(alpha, beta); return this; }

    /// <summary>Common crash jumps: <paramref name="intensity"/> per year, log size ~ N(mean, sd^2).</summary>
    public ScenarioBuilder Jumps(double intensity, double meanLogSize, double logSizeVolatility)
    {
        jumps = new JumpSpec(intensity, meanLogSize, logSizeVolatility);
        return this;
    }

    /// <summary>Historical shocks in place of the drawn ones (docs/model.md section 2, "Historical shocks"): build the
    /// spec from <see cref="Prices.PriceFile.Read"/>'s series, one per asset in the assets' order.</summary>
    public ScenarioBuilder History(HistorySpec spec)
    {
        history = spec ?? throw new ArgumentNullException(nameof(spec));
        return this;
    }

    /// <summary>A deterministic log-return shock to an asset at a step (steps count from 0).</summary>
    public ScenarioBuilder Stress(int step, string asset, double logReturn)
    {
        stress.Add((step, asset, logReturn));
        return this;
    }

    /// <summary>Venue rules; the maintenance margin is required.</summary>
    public ScenarioBuilder Venue(Action<VenueBuilder> configure)
    {
        configure(venue);
        return this;
    }

    /// <summary>
    /// An isolated position: units = notional / entry price, collateral = notional / leverage in USD, or held in
    /// <paramref name="collateralAsset"/> units at its starting price (coin-margined).
    /// </summary>
    /// <param name="asset">Symbol of the position's asset.</param>
    /// <param name="side">Long or short.</param>
    /// <param name="notional">USD notional at entry, total over the accounts.</param>
    /// <param name="leverage">Notional / collateral; below 1 is over-collateralised.</param>
    /// <param name="entryPrice">Entry price [the asset's starting price].</param>
    /// <param name="accounts">Identical accounts the cohort stands for [1].</param>
    /// <param name="name">Label for reports.</param>
    /// <param name="collateralAsset">Symbol of the collateral asset, or null for USD.</param>
    public ScenarioBuilder Isolated(string asset, PositionSide side, double notional, double leverage,
        double? entryPrice = null, double? accounts = null, string? name = null, string? collateralAsset = null)
    {
        cohorts.Add((errors, table, prices, path) =>
        {
            var index = table.Resolve(errors, Key(path, "asset"), asset);
            int? collateral = collateralAsset is null ? null : table.Resolve(errors, Key(path, "collateralAsset"), collateralAsset) ?? -1;
            if (index is not int i || collateral == -1) return null;
            return CohortTerms.Isolated(errors, path, prices, new PositionTerms(i, side, notional, entryPrice), leverage,
                collateral, name, accounts);
        });
        return this;
    }

    /// <summary>A cross-margin cohort: several positions sharing one collateral pool.</summary>
    public ScenarioBuilder CrossMargin(Action<CrossMarginBuilder> configure)
    {
        var cohort = new CrossMarginBuilder();
        configure(cohort);
        cohorts.Add(cohort.Build);
        return this;
    }

    /// <summary>A cohort given in resolved form (asset indices, units).</summary>
    public ScenarioBuilder Cohort(CohortSpec cohort)
    {
        cohorts.Add((_, _, _, _) => cohort);
        return this;
    }

    /// <summary>The synthetic book generator.</summary>
    public ScenarioBuilder Generator(Action<GeneratorBuilder> configure)
    {
        generator ??= new GeneratorBuilder();
        configure(generator);
        return this;
    }

    /// <summary>Resolves symbols, builds and validates the scenario.</summary>
    /// <exception cref="ScenarioException">Something is missing, unknown or invalid; every problem is listed.</exception>
    public Scenario Build()
    {
        var errors = new Diagnostics();
        errors.AddRange(pending);
        errors.AddRange(venue.Pending);
        Required(errors, horizon is not null, "horizon");
        Required(errors, steps is not null, "steps");
        Required(errors, paths is not null, "paths");
        Required(errors, seed is not null, "seed");

        var table = new SymbolTable(assets.Select(a => (string?)a.Symbol).ToList());
        var prices = assets.Select(a => a.Price).ToList();
        var specs = assets.Select((a, i) => a.Build(errors, Index("assets", i))).ToList();
        var rho = CorrelationMatrix(errors, table);
        var shocks = stress.Select((s, k) =>
            table.Resolve(errors, Key(Index("stress", k), "asset"), s.Asset) is int i ? new StressShock(s.Step, i, s.LogReturn) : null).ToList();
        var venueSpec = venue.Build(errors, table);
        var cohortSpecs = cohorts.Select((build, i) => build(errors, table, prices, Index("book.cohorts", i))).ToList();
        var generatorSpec = generator?.Build(errors, table);
        errors.ThrowIfAny();

        var book = new BookSpec { Cohorts = cohortSpecs.Select(c => c!).ToImmutableArray() };
        if (generatorSpec is not null) book = book with { Generator = generatorSpec };
        var scenario = new Scenario
        {
            Horizon = horizon!.Value, Steps = steps!.Value, Paths = paths!.Value, Seed = seed!.Value,
            Assets = specs.Select(a => a!).ToImmutableArray(), Venue = venueSpec!, Book = book,
        };
        if (precision is { } p) scenario = scenario with { Precision = p };
        if (cascadeThreshold is double threshold) scenario = scenario with { CascadeThreshold = threshold };
        if (runawayBound is double bound) scenario = scenario with { RunawayBound = bound };
        if (innovations is not null) scenario = scenario with { Innovations = innovations };
        if (garch is not null) scenario = scenario with { Garch = garch };
        if (jumps is not null) scenario = scenario with { Jumps = jumps };
        if (history is not null) scenario = scenario with { History = history };
        if (rho is { } matrix) scenario = scenario with { Correlation = matrix };
        if (shocks.Count > 0) scenario = scenario with { Stress = shocks.Select(s => s!).ToImmutableArray() };
        ScenarioValidator.EnsureValid(scenario);
        return scenario;
    }

    private void Required(Diagnostics errors, bool given, string path)
    {
        if (!given && !pending.Any(e => e.Path == path)) errors.Add(path, "required");
    }

    /// <summary>Row-major N x N from the matrix and the pairs, or null when neither was given.</summary>
    private ImmutableArray<double>? CorrelationMatrix(Diagnostics errors, SymbolTable table)
    {
        int n = assets.Count;
        if (correlation is null && pairCorrelations.Count == 0) return null;
        var m = correlation ?? IdentityMatrix(n);
        if (m.GetLength(0) != n || m.GetLength(1) != n)
        {
            errors.Add("correlation", $"must be {n} x {n} (one row and column per asset), got {m.GetLength(0)} x {m.GetLength(1)}");
            return null;
        }
        m = (double[,])m.Clone();
        foreach (var (a, b, rho) in pairCorrelations)
        {
            var i = table.Resolve(errors, "correlation", a);
            var j = table.Resolve(errors, "correlation", b);
            if (i is int row && j is int column) m[row, column] = m[column, row] = rho;
        }
        return Enumerable.Range(0, n * n).Select(k => m[k / n, k % n]).ToImmutableArray();
    }

    private static double[,] IdentityMatrix(int n)
    {
        var m = new double[n, n];
        for (int i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    /// <summary>Parses a duration, or records the error for <see cref="Build"/>.</summary>
    internal static Duration ParseDuration(string text, string path, List<ScenarioError> pending)
    {
        if (Duration.TryParse(text ?? "", out var duration, out string error)) return duration;
        pending.Add(new ScenarioError(path, error));
        return default;
    }
}
