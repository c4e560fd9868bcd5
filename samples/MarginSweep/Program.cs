// Research example: how does the probability of bad debt fall as the maintenance margin rises?
// Builds a two-asset venue in code, sweeps the margin, and prints estimates with their 95% intervals.
// Run: dotnet run --project samples/MarginSweep -c Release
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

foreach (double margin in new[] { 0.004, 0.0075, 0.0125, 0.02 })
{
    Scenario scenario = new ScenarioBuilder()
        .Horizon("1d").Steps(96).Paths(4_096).Seed(2026)
        .Asset("BTC", price: 100_000, volatility: 0.6, depth1pct: 1.5e8)
        .Asset("ETH", price: 3_500, volatility: 0.8, depth1pct: 6e7, a => a.JumpBeta(1.3))
        .Correlation("BTC", "ETH", 0.8)
        .StudentT(5)
        .Jumps(intensity: 8, meanLogSize: -0.06, logSizeVolatility: 0.03)
        .Venue(v => v.MaintenanceMargin(margin).LiquidationPenalty(0.01).InsuranceFund(2e7))
        .Generator(g => g.Seed(7).CohortsPerAsset(50)
            .Asset("BTC", openInterest: 3e9, longShare: 0.6)
            .Asset("ETH", openInterest: 1.5e9, longShare: 0.6))
        .Build();

    var result = SimulationEngine.Run(scenario);
    var p = result.Probabilities.BadDebt;
    Console.WriteLine($"maintenance {margin:P2}: P(bad debt) = {p.Estimate:P2} [{p.Lower:P2}, {p.Upper:P2}], " +
                      $"ES99 bad debt = {result.BadDebt.ExpectedShortfall["0.99"]:N0} USD");
}
