using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Statistics;

Scenario scenario = new ScenarioBuilder()
    .Horizon("1d").Steps(96).Paths(4_096).Seed(2026)
    .Asset("BTC", price: 100_000, volatility: 0.6, depth1pct: 1.5e8)
    .Asset("ETH", price: 3_500, volatility: 0.8, depth1pct: 6e7, a => a.JumpBeta(1.3))
    .Correlation("BTC", "ETH", 0.8)
    .StudentT(5).Jumps(intensity: 8, meanLogSize: -0.06, logSizeVolatility: 0.03)
    .Venue(v => v.MaintenanceMargin(0.0075).LiquidationPenalty(0.01).InsuranceFund(2e7))
    .Generator(g => g.Seed(7).CohortsPerAsset(50).Asset("BTC", openInterest: 1.5e9).Asset("ETH", openInterest: 7.5e8))
    .Build();                                     // throws ScenarioException naming every bad field

RunResult result = SimulationEngine.Run(scenario, new RunOptions { Paths = 10_000 });
Console.WriteLine($"P(bad debt) = {result.Probabilities.BadDebt.Estimate:P2} " +
                  $"[{result.Probabilities.BadDebt.Lower:P2}, {result.Probabilities.BadDebt.Upper:P2}]");

// Tail figures carry 95% intervals; every cohort its share of the tail's bad debt.
TailInterval es99 = result.BadDebt.ExpectedShortfallInterval[0.99];
Console.WriteLine($"ES 99% = {result.BadDebt.ExpectedShortfall[0.99]:N0} [{es99.Lower:N0}, {es99.Upper:N0}]");
CohortAttribution worst = result.CohortAttribution.MaxBy(c => c.TailShare ?? 0)!;
Console.WriteLine($"{worst.Name}: {worst.TailShare:P1} of the tail's bad debt at {worst.Leverage:0.0}x");

// Change it by key path, as compare --vary spells keys: a new validated scenario; this one is unchanged.
Scenario thinner = scenario.With("assets[BTC].depth1pct", 7.5e7);
RunResult thin = SimulationEngine.Run(thinner, new RunOptions { Paths = 10_000 });   // the same paths: same seed
Console.WriteLine($"ES 99% at half BTC's depth = {thin.BadDebt.ExpectedShortfall[0.99]:N0}");

// Per-path outputs for research: paths [start, start + count), identical to those inside any run.
PathOutputs paths = SimulationEngine.SimulatePaths(scenario, start: 0, count: 1_000);
