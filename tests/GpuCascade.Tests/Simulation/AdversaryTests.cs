using System.Globalization;
using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// The front-runner (docs/model.md section 10): on a deterministic ladder it attacks exactly when the closed-form profit of
/// its best push is positive and earns that profit; blind to the book it never attacks, so its expected profit is not
/// positive; its attacks raise the bad debt; bad terms are refused at their fields.
/// </summary>
public class AdversaryTests
{
    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private const double Price = 100, Depth = 1.0e6, Margin = 0.05, Budget = 5.0e6, Fee = 0.0005, Capital = 0.1;
    private const int Levels = 8;
    /// <summary>The cluster's leverage: its longs reach maintenance 2% below the price.</summary>
    private static readonly double Leverage = 1 / (Margin + 0.02 * (1 - Margin));

    /// <summary>No volatility, one hourly step; a far long that never liquidates, and a cluster of longs of notional
    /// <paramref name="cluster"/> whose level is 2% down.</summary>
    private static Scenario Ladder(double cluster, string sees = "book", string venue = "", string asset = "") => ScenarioLoader.LoadYaml($$"""
        horizon: 1h
        steps: 1
        paths: 1
        seed: 1
        assets: [{symbol: BTC, price: {{R(Price)}}, volatility: 0, depth1pct: {{R(Depth)}}{{asset}}}]
        venue:
          maintenanceMargin: {{R(Margin)}}{{venue}}
          adversary: {budget: {{R(Budget)}}, sees: {{sees}}, fee: {{R(Fee)}}, costOfCapital: {{R(Capital)}}, levels: {{Levels}}}
        book:
          cohorts:
            - {asset: BTC, side: long, notional: 1.0e5, leverage: 2}
        {{(cluster > 0 ? $"    - {{asset: BTC, side: long, notional: {R(cluster)}, leverage: {R(Leverage)}}}" : "")}}
        """);

    /// <summary>The closed form of docs/model.md section 10 for a push of log size <paramref name="push"/> with forced
    /// flow <paramref name="forced"/> (USD, a sale negative), at the mid 100 and one hour's cost of capital.</summary>
    /// With depth withdrawal phi (<paramref name="withdrawal"/>, docs/model.md section 8.1) the buy-back meets the depth
    /// D / (1 + phi |forced| / D) the forced sales leave.</summary>
    private static double Profit(double push, double forced, double withdrawal = 0)
    {
        double c = 0.01 / Depth, units = push / c / Price;
        double first = Price * Math.Exp(push / 2);
        double after = Price * Math.Exp(push) * Math.Exp(c * forced);
        double back = c * (1 + withdrawal * Math.Abs(forced) / Depth);
        double second = after * Math.Exp(-back * units * after / 2);
        return -units * first + units * second - Fee * Math.Abs(units) * (first + second) - Capital / 8760 * Math.Abs(units) * Price;
    }

    /// <summary>The best push's profit, by hand: a push down past 2% liquidates the cluster (its units at the pushed price),
    /// within the step's liquidation capacity <paramref name="capacity"/> (USD), with depth withdrawal phi
    /// <paramref name="withdrawal"/>.</summary>
    private static double BestProfit(double cluster, double capacity = double.PositiveInfinity, double withdrawal = 0)
    {
        double best = double.NegativeInfinity, reach = Math.Min(0.01 / Depth * Budget, Math.Sqrt(Fee));
        for (int d = -1; d <= 1; d += 2)
            for (int j = 1; j <= Levels; j++)
            {
                double push = d * reach * j / Levels, pushed = Price * Math.Exp(push);
                double equity = cluster / Leverage + cluster / Price * (pushed - Price);
                bool liquidated = cluster > 0 && equity < Margin * cluster / Price * pushed;
                best = Math.Max(best, Profit(push, liquidated ? -Math.Min(cluster / Price * pushed, capacity) : 0, withdrawal));
            }
        return best;
    }

    private static PathOutputs Simulate(Scenario s) => SimulationEngine.SimulatePaths(s, 0, (int)s.Paths, new ManagedBackend());

    [TestCase(0.0)]
    [TestCase(3.0e4)]
    [TestCase(6.0e4)]
    [TestCase(7.0e4)]
    [TestCase(8.0e4)]
    [TestCase(1.5e5)]
    [TestCase(1.0e6)]
    public void TheSeeingAdversaryAttacksExactlyWhenTheClosedFormProfitIsPositive(double cluster)
    {
        double expected = BestProfit(cluster);
        var o = Simulate(Ladder(cluster));
        Assert.That(o["adversary.attacked"][0], Is.EqualTo(expected > 0 ? 1 : 0), $"closed-form profit {R(expected)}");
        double earned = Math.Max(expected, 0); // no attack, no profit
        Assert.That(o["adversary.forecastPnl"][0], Is.EqualTo(earned).Within(1e-6 * Math.Max(1, earned)));
        Assert.That(o["adversary.pnl"][0], Is.EqualTo(earned).Within(1e-6 * Math.Max(1, earned)), "the realised profit is the forecast");
    }

    /// <summary>The forecast knows the venue's liquidation capacity (docs/model.md section 8.2): the first round liquidates at
    /// most a step's capacity (1h steps: the hourly capacity), so a cluster of 1M that pays uncapped does not pay with 50k of
    /// capacity, and pays less with 200k; and the depth its forced sales withdraw (section 8.1), which the buy-back meets:
    /// with phi = 0.3 the attack pays 13k instead of 20k, with phi = 3 it does not pay (nor with 200k of capacity and
    /// phi = 1). In every case it attacks exactly when the closed form is positive and earns what it forecast.</summary>
    [TestCase(5.0e4, 0.0)]
    [TestCase(2.0e5, 0.0)]
    [TestCase(double.PositiveInfinity, 0.3)]
    [TestCase(double.PositiveInfinity, 3.0)]
    [TestCase(2.0e5, 0.3)]
    [TestCase(2.0e5, 1.0)]
    public void TheForecastKnowsTheCapacityAndTheDepthTheForcedSalesWithdraw(double capacity, double withdrawal)
    {
        const double cluster = 1.0e6;
        double expected = BestProfit(cluster, capacity, withdrawal);
        string venue = double.IsPositiveInfinity(capacity) ? "" : $"\n  liquidationCapacity: {R(capacity)}";
        string asset = withdrawal > 0 ? $", liquidity: {{flowWithdrawal: {R(withdrawal)}}}" : "";
        var o = Simulate(Ladder(cluster, venue: venue, asset: asset));
        Assert.That(expected, Is.Not.EqualTo(BestProfit(cluster)).Within(1.0), "the capacity or the withdrawal must change the profit");
        Assert.That(o["adversary.attacked"][0], Is.EqualTo(expected > 0 ? 1 : 0), $"closed-form profit {R(expected)}");
        double earned = Math.Max(expected, 0);
        Assert.That(o["adversary.forecastPnl"][0], Is.EqualTo(earned).Within(1e-6 * Math.Max(1, earned)));
        Assert.That(o["adversary.pnl"][0], Is.EqualTo(earned).Within(1e-6 * Math.Max(1, earned)), "the realised profit is the forecast");
    }

    [Test]
    public void TheThresholdLiesInsideTheTestedClusters()
    {
        Assert.That(BestProfit(0), Is.LessThan(0), "without forced sales the round trip costs its fees");
        TestContext.Out.WriteLine(string.Join(", ", new[] { 3.0e4, 6.0e4, 7.0e4, 8.0e4, 1.5e5, 1.0e6 }.Select(c => $"{c}: {BestProfit(c):0.##}")));
        Assert.That(BestProfit(3.0e4), Is.LessThan(0), "a small cluster does not pay the round trip");
        Assert.That(BestProfit(1.5e5), Is.GreaterThan(0), "a large one does");
        for (int j = -64; j <= 64; j++)
            if (j != 0)
                Assert.That(Profit(Math.Sqrt(Fee) * j / 64, 0), Is.LessThan(0), "no push within the cap pays without forced sales");
        Assert.That(Profit(-2.2 * Math.Sqrt(Fee), 0), Is.GreaterThan(0), "beyond 2 sqrt(f) the impact law's round trip pays by itself");
    }

    [Test]
    public void BlindToTheBookItNeverAttacksAndTheBookFaresAsWithoutIt()
    {
        var blind = Simulate(Ladder(1.0e6, "blind"));
        var seeing = Simulate(Ladder(1.0e6));
        Assert.That(blind["adversary.attacked"][0], Is.Zero);
        Assert.That(blind["adversary.pnl"][0], Is.Zero, "its profit is not positive");
        Assert.That(seeing["adversary.attacked"][0], Is.EqualTo(1));
        Assert.That(blind.LiquidatedNotional[0], Is.Zero, "nothing reaches the cluster without the push");
        Assert.That(seeing.LiquidatedNotional[0], Is.GreaterThan(9.0e5), "the push liquidates the cluster");
    }

    [Test]
    public void AnAttackOpenWhenThePathRunsAwayIsMarkedAtTheLastMid()
    {
        // The push (about 2.2%) stays within the bound; the cluster's forced sales take the price past 3% below the
        // exogenous one in the first round, so the path stops with the attack open.
        var s = Ladder(1.0e6) with { RunawayBound = 1.03 };
        var o = Simulate(s);
        Assert.That(o.Runaway[0], Is.EqualTo(1));
        Assert.That(o["adversary.attacked"][0], Is.EqualTo(1));
        Assert.That(o["adversary.pnl"][0], Is.Not.Zero, "the push's cash and the units held, at the last mid");
        double units = -Math.Sqrt(Fee) / (0.01 / Depth) / Price; // the whole reach, sold
        Assert.That(o["adversary.pnl"][0], Is.GreaterThan(0).And.LessThan(-units * Price * 0.05), "a sale marked below its price");
    }

    [Test]
    public void BadTermsAreRefusedAtTheirFields()
    {
        string Yaml(string terms, string venue = "", string impact = "depth1pct: 1e6") => $$"""
            horizon: 1h
            steps: 12
            paths: 100
            seed: 1
            assets: [{symbol: BTC, price: 100, volatility: 0.6, {{impact}}}]
            venue: {maintenanceMargin: 0.05, adversary: {{terms}}{{venue}}}
            book: {cohorts: [{asset: BTC, side: long, notional: 1.0e4, leverage: 5}]}
            """;
        MechanismChecks.AssertRefused(Yaml("{budget: -1}"), "venue.adversary.budget", "> 0");
        MechanismChecks.AssertRefused(Yaml("{budget: 1e6, fee: 0.5}"), "venue.adversary.fee", "");
        MechanismChecks.AssertRefused(Yaml("{budget: 1e6, sees: maybe}"), "venue.adversary.sees", "book");
        MechanismChecks.AssertRefused(Yaml("{budget: 1e6}", ", oracleDelaySteps: 2"), "venue.adversary", "live oracle");
        MechanismChecks.AssertRefused(Yaml("{budget: 1e6}", "", "impact: {model: sqrt, dailyVolume: 1e9}"), "assets[0].impact", "linear");
        MechanismChecks.AssertRefused(Yaml("{fee: 0.001}"), "venue.adversary.budget", "required");
        MechanismChecks.AssertRefused(Yaml("{budget: 1e6}", ", circuitBreaker: {move: 0.05, window: 5m, halt: 10m}"), "venue.adversary", "circuit breaker");
    }
}

/// <summary>The front-runner on every ILGPU device against the managed reference.</summary>
[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]
public class AdversaryParityTests(string deviceName, string reason) : DeviceFixture(deviceName, reason)
{
    [Test]
    public void PerPathOutputsMatchTheManagedReference()
    {
        var s = ScenarioLoader.LoadFile(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "front-runner.yaml"));
        var reference = MechanismChecks.AssertParity(Device, s with { Paths = 1024 });
        Assert.That(reference["adversary.attacked"].Take(1024).Sum(), Is.GreaterThan(0), "the front-runner must attack");
    }
}
