using GpuCascade.Operations;
using GpuCascade.Scenarios;

namespace GpuCascade.Benchmarks;

/// <summary>
/// The named reference workloads of the benchmarks (<c>gpucascade bench</c>, <c>bench/GpuCascade.Bench</c>). Each is
/// a fixed, validated <see cref="Scenario"/>: the same numbers on every machine, so throughputs measured on different
/// machines describe the same work.
/// </summary>
/// <remarks>
/// <para>Both workloads share one market and one kind of book, and differ in size only:</para>
/// <list type="bullet">
/// <item>Market (per asset: price USD, annualised volatility, linear depth moving the price 1%, crash-jump loading,
/// collateral weight): BTC 100,000, 0.55, 1.5e8, 1.0, 0.95; ETH 3,500, 0.70, 6e7, 1.3, 0.90; SOL 180, 0.90, 3e7,
/// 1.6, 0.80; BNB 650, 0.60, 1.5e7, 1.2, 0.90. Correlations BTC-ETH 0.80, BTC-SOL 0.70, ETH-SOL 0.75, BNB 0.65 with
/// BTC and ETH, 0.60 with SOL. Impact half-life 30m, permanent share 0.5.</item>
/// <item>Dynamics: the default scenario's, chosen because production runs use them and they exercise every part of
/// the step (the Student-t chi-square draw, the GARCH update, the jump test): multivariate Student-t shocks with
/// 5 degrees of freedom, GARCH(1,1) with per-step alpha 0.05 and beta 0.94, common crash jumps 4 per year with log
/// size N(-0.07, 0.03^2).</item>
/// <item>Venue: static maintenance margin 0.5% on every asset, liquidation penalty 1%, full liquidation, live oracle
/// (<c>oracleDelaySteps</c> 0), 64 rounds per step at most, insurance fund 5e7 USD, cascade threshold 5%.</item>
/// <item>Book: the generator (book seed 7) with <c>crossMarginShare</c> 1 and <c>coinMarginedShare</c> 0, so every
/// cohort is a cross-margin account of 1,000 accounts with two positions (its asset, and one of half the size on the
/// same side in the next asset of the scenario, the last wrapping to the first) sharing one USD pool. Open interest
/// of the primary positions: BTC 2e9, ETH 1e9, SOL 4e8, BNB 2e8, 55% long (SOL 60%); leverage median 8, dispersion
/// 0.6, capped at 50 (SOL and BNB 25); entry dispersion 4% (ETH 5%, SOL 7%, BNB 6%). The book is sized so that W1 is
/// about as fragile as the default scenario: on its first 4,096 paths P(cascade) is about 4%, P(bad debt) about 64%
/// and P(insurance fund depleted) about 0.6%, and the busiest step of a path takes about 5 liquidation rounds.</item>
/// </list>
/// <para>Path seed 2026. A cohort evaluation is one margin check of one cohort: a run does at least
/// paths x steps x cohorts of them (more in steps with liquidation rounds).</para>
/// </remarks>
public static class Workloads
{
    private static readonly Lazy<Scenario> W0Scenario = new(() => Build(
        assets: 2, horizon: "4h", steps: 48, paths: 4_096, cohortsPerAsset: 32));

    private static readonly Lazy<Scenario> W1Scenario = new(() => Build(
        assets: 4, horizon: "1d", steps: 288, paths: 1_000_000, cohortsPerAsset: 256));

    /// <summary>The workload names, smallest first: <c>W0</c>, <c>W1</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["W0", "W1"];

    /// <summary>
    /// W0, CI-sized: BTC and ETH, 64 cross-margin cohorts (32 per asset, 2 positions each), 48 steps of 5 minutes
    /// (4 hours), 4,096 paths; about a second on the managed backend on 2 cores. The market, dynamics and venue are
    /// W1's (see the class remarks).
    /// </summary>
    public static Scenario W0 => W0Scenario.Value;

    /// <summary>
    /// W1, the reference: BTC, ETH, SOL and BNB, 1,024 cross-margin cohorts (256 per asset, 2 positions each, USD
    /// collateral), full liquidation, live oracle, 288 steps of 5 minutes (1 day), 1,000,000 paths: 2.88e8
    /// path-steps and at least 2.9e11 cohort evaluations. Sized for a GPU; a CPU runs a few thousand of its paths.
    /// </summary>
    public static Scenario W1 => W1Scenario.Value;

    /// <summary>The workload named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No workload has that name; the message lists the names.</exception>
    public static Scenario ByName(string name) => Canonical(name) switch
    {
        "W0" => W0,
        "W1" => W1,
        _ => throw new ArgumentException(
            $"unknown workload {Echo.Quote(name)} (expected {string.Join(" or ", Names)})", nameof(name)),
    };

    /// <summary>One line describing the workload named <paramref name="name"/>, for reports.</summary>
    /// <exception cref="ArgumentException">No workload has that name; the message lists the names.</exception>
    public static string Describe(string name)
    {
        var s = ByName(name);
        int cohorts = s.Book.Generator!.CohortsPerAsset * s.Book.Generator.Assets.Length;
        return $"{Canonical(name)}: {s.Paths:N0} paths x {s.Steps} steps over {s.Horizon}, {s.Assets.Length} assets " +
               $"({string.Join(", ", s.Assets.Select(a => a.Symbol))}), {cohorts:N0} cross-margin cohorts x 2 positions, " +
               "Student-t/GARCH/jumps, static margin, full liquidation, live oracle";
    }

    private static string Canonical(string name) => (name ?? "").Trim().ToUpperInvariant();

    private static Scenario Build(int assets, string horizon, int steps, long paths, int cohortsPerAsset)
    {
        var b = new ScenarioBuilder()
            .Horizon(horizon).Steps(steps).Paths(paths).Seed(2026)
            .CascadeThreshold(0.05)
            .StudentT(5).Garch(alpha: 0.05, beta: 0.94)
            .Jumps(intensity: 4, meanLogSize: -0.07, logSizeVolatility: 0.03)
            .Asset("BTC", price: 100_000, volatility: 0.55, depth1pct: 1.5e8, a => a.JumpBeta(1.0).CollateralWeight(0.95))
            .Asset("ETH", price: 3_500, volatility: 0.70, depth1pct: 6e7, a => a.JumpBeta(1.3).CollateralWeight(0.90));
        if (assets == 4)
        {
            b.Asset("SOL", price: 180, volatility: 0.90, depth1pct: 3e7, a => a.JumpBeta(1.6).CollateralWeight(0.80))
             .Asset("BNB", price: 650, volatility: 0.60, depth1pct: 1.5e7, a => a.JumpBeta(1.2).CollateralWeight(0.90))
             .Correlation("BTC", "SOL", 0.70).Correlation("ETH", "SOL", 0.75)
             .Correlation("BTC", "BNB", 0.65).Correlation("ETH", "BNB", 0.65).Correlation("SOL", "BNB", 0.60);
        }
        b.Correlation("BTC", "ETH", 0.80)
         .Venue(v => v.MaintenanceMargin(0.005).LiquidationPenalty(0.01).Full().OracleDelaySteps(0).RoundCap(64)
             .InsuranceFund(5e7))
         .Generator(g =>
         {
             g.Seed(7).CohortsPerAsset(cohortsPerAsset).CrossMarginShare(1).CoinMarginedShare(0).AccountsPerCohort(1_000)
              .Asset("BTC", openInterest: 1e9, longShare: 0.55, leverageMedian: 8, leverageDispersion: 0.6, leverageMax: 50, entryDispersion: 0.04)
              .Asset("ETH", openInterest: 5e8, longShare: 0.55, leverageMedian: 8, leverageDispersion: 0.6, leverageMax: 50, entryDispersion: 0.05);
             if (assets == 4)
                 g.Asset("SOL", openInterest: 2e8, longShare: 0.60, leverageMedian: 8, leverageDispersion: 0.6, leverageMax: 25, entryDispersion: 0.07)
                  .Asset("BNB", openInterest: 1e8, longShare: 0.55, leverageMedian: 8, leverageDispersion: 0.6, leverageMax: 25, entryDispersion: 0.06);
         });
        return b.Build();
    }
}
