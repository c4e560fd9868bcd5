using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// The backstop liquidity provider (docs/model.md section 8.11): it takes exactly a round's overflow beyond the slippage
/// limit, at the mid less its discount, within its capital; the cohorts settle at the blended fill; it absorbs bad debt
/// after the fund up to its loss limit; it unwinds at its rate. The account backstop takes over exactly the accounts below
/// its share of their requirement, with their margin left, within its capital and loss limit. The rules; parity.
/// </summary>
public class BackstopTests
{
    private const double P0 = 100, Depth = 1e6, Units = 5e4, S = 0.02, D = 0.05;

    /// <summary>One asset at 100, linear depth 1e6, fully permanent impact, no volatility; the opening round sells one long
    /// of 50,000 units (5e6 USD, leverage 10): 5% of impact, far beyond a 2% slippage limit.</summary>
    private static Scenario Overflowing(BackstopSpec? backstop, int steps = 2)
    {
        var asset = Asset("BTC", P0, 0, depth1pct: Depth, permanentImpact: 1);
        var s = Single(asset, [Isolated(0, Units * P0, 10, P0) with { LiquidateAtStart = true }], horizon: $"{steps}h", steps: steps, margin: 0.05);
        return backstop is null ? s : s with { Venue = s.Venue with { Mechanisms = MechanismSet.Empty.With(backstop) } };
    }

    [Test]
    public void ItTakesExactlyTheOverflowOfARound()
    {
        var o = SimulationEngine.SimulatePaths(Overflowing(new BackstopSpec(S, D, double.PositiveInfinity)), 0, 1);
        double sigma = -Math.Log(1 - S);
        double bookUnits = -sigma * Depth / 0.01 / P0;           // the flow whose impact is -sigma
        double taken = -Units - bookUnits;                         // the overflow, bought at 95
        double exec = P0 * Math.Exp(-sigma / 2);                   // the book's fill (linear: half the move)
        double blend = (bookUnits * exec + taken * P0 * (1 - D)) / -Units;
        Assert.That(o.FinalPrice[0], Is.EqualTo(P0 * (1 - S)).Within(1e-12 * P0), "the price moves by the slippage limit, no more");
        Assert.That(o["backstop.taken"][0], Is.EqualTo(-taken * P0 * (1 - D)).Within(1e-9 * Units * P0));
        Assert.That(o["backstop.inventory"][0], Is.EqualTo(-taken * P0 * (1 - S)).Within(1e-9 * Units * P0));
        Assert.That(o["backstop.pnl"][0], Is.EqualTo(-taken * P0 * (D - S)).Within(1e-6), "bought at 95, marked at 98");
        Assert.That(o.LiquidatedNotional[0], Is.EqualTo(Units * blend).Within(1e-9 * Units * P0), "the cohort settles at the blend");
        Assert.That(o["backstop.exhausted"][0], Is.Zero);
        Assert.That(o.MaxDisplacement[0], Is.EqualTo(sigma).Within(1e-12), "only the book's part moves z");
        var none = SimulationEngine.SimulatePaths(Overflowing(null), 0, 1);
        Assert.That(none.FinalPrice[0], Is.EqualTo(P0 * Math.Exp(-0.05)).Within(1e-12 * P0), "without it the whole flow hits the book");
    }

    /// <summary>A short bought back at the start: the book takes the purchase whose impact is +sigma (a rise of
    /// s / (1 - s)), the vault sells the rest at the mid plus its discount and holds the short.</summary>
    [Test]
    public void ItSellsAPurchasesOverflowShort()
    {
        var asset = Asset("BTC", P0, 0, depth1pct: Depth, permanentImpact: 1);
        var s = Single(asset, [Isolated(0, Units * P0, 10, P0, isLong: false) with { LiquidateAtStart = true }], horizon: "2h", steps: 2, margin: 0.05);
        s = s with { Venue = s.Venue with { Mechanisms = MechanismSet.Empty.With(new BackstopSpec(S, D, double.PositiveInfinity)) } };
        var o = SimulationEngine.SimulatePaths(s, 0, 1);
        double sigma = -Math.Log(1 - S), taken = Units - sigma * Depth / 0.01 / P0;
        Assert.That(o.FinalPrice[0], Is.EqualTo(P0 / (1 - S)).Within(1e-12 * P0));
        Assert.That(o["backstop.inventory"][0], Is.EqualTo(-taken * P0 / (1 - S)).Within(1e-9 * Units * P0), "it is short what it sold");
        Assert.That(o["backstop.taken"][0], Is.EqualTo(taken * P0 * (1 + D)).Within(1e-9 * Units * P0));
        Assert.That(o["backstop.pnl"][0], Is.EqualTo(taken * P0 * (1 + D - 1 / (1 - S))).Within(1e-6), "sold at 105, marked at 102.04");
    }

    /// <summary>A book that nothing moves (square-root impact with no volatility) absorbs any flow: the backstop takes none.</summary>
    [Test]
    public void WithoutImpactItTakesNothing()
    {
        var s = Overflowing(new BackstopSpec(S, D, double.PositiveInfinity));
        s = s with { Assets = [s.Assets[0] with { Impact = new SquareRootImpact(1e9, 0.8) }] };
        var o = SimulationEngine.SimulatePaths(s, 0, 1);
        Assert.That(o["backstop.taken"][0], Is.Zero);
        Assert.That(o.FinalPrice[0], Is.EqualTo(P0).Within(1e-12 * P0));
    }

    [Test]
    public void ItsCapitalLeavesTheRestToTheBook()
    {
        var o = SimulationEngine.SimulatePaths(Overflowing(new BackstopSpec(S, D, 1e6)), 0, 1);
        // Room for 1e6 / 100 = 10,000 units; the book takes the other 40,000: a move of 0.01 x 4e6 / 1e6 = 4%.
        Assert.That(o.FinalPrice[0], Is.EqualTo(P0 * Math.Exp(-0.04)).Within(1e-12 * P0));
        Assert.That(o["backstop.taken"][0], Is.EqualTo(1e4 * P0 * (1 - D)).Within(1e-6));
        Assert.That(o["backstop.exhausted"][0], Is.EqualTo(1));
    }

    [Test]
    public void ItUnwindsAtItsRate()
    {
        var o = SimulationEngine.SimulatePaths(Overflowing(new BackstopSpec(S, D, double.PositiveInfinity, UnwindRate: 0.5), steps: 10), 0, 1);
        double sigma = -Math.Log(1 - S), taken = Units - sigma * Depth / 0.01 / P0;
        // Each hourly step it sells 1 - e^-0.5 of what it holds: after 10 steps e^-5 of it is left.
        Assert.That(o["backstop.inventory"][0] / o.FinalPrice[0], Is.EqualTo(taken * Math.Exp(-5)).Within(1e-9 * taken));
        Assert.That(o.FinalPrice[0], Is.LessThan(P0 * (1 - S)), "its sales move the price too");
    }

    /// <summary>A short squeezed by a +15% shock closes with bad debt beyond the fund (5): the backstop absorbs what the
    /// fund cannot, up to its loss limit; the rest is uncovered (no ADL).</summary>
    [Test]
    public void ItAbsorbsBadDebtAfterTheFundUpToItsLossLimit()
    {
        var asset = Asset("BTC", P0, 0, depth1pct: 1000);
        Scenario Squeeze(BackstopSpec? b)
        {
            var s = Single(asset, [Isolated(0, 1000, 10, P0, isLong: false)], steps: 1, margin: 0.05, penalty: 0.01, fund: 5) with
            {
                Stress = [new StressShock(0, 0, 0.15)],
            };
            return b is null ? s : s with { Venue = s.Venue with { Mechanisms = MechanismSet.Empty.With(b) } };
        }
        var plain = SimulationEngine.SimulatePaths(Squeeze(null), 0, 1);
        double beyond = plain.BadDebt[0] - 5;
        Assert.That(beyond, Is.GreaterThan(2), "the case needs bad debt beyond the fund");
        var deep = SimulationEngine.SimulatePaths(Squeeze(new BackstopSpec(0.99, 0, double.PositiveInfinity)), 0, 1);
        Assert.That(deep["backstop.absorbed"][0], Is.EqualTo(beyond).Within(1e-9));
        Assert.That(deep.UncoveredLoss[0], Is.Zero.Within(1e-9));
        Assert.That(deep.UncoveredBeforeAdl[0], Is.EqualTo(plain.UncoveredBeforeAdl[0]), "the fund-depleted event keeps its meaning");
        Assert.That(deep["backstop.pnl"][0], Is.EqualTo(-beyond).Within(1e-9));
        var limited = SimulationEngine.SimulatePaths(Squeeze(new BackstopSpec(0.99, 0, double.PositiveInfinity, LossLimit: 1)), 0, 1);
        Assert.That(limited["backstop.absorbed"][0], Is.EqualTo(1).Within(1e-12));
        Assert.That(limited.UncoveredLoss[0], Is.EqualTo(beyond - 1).Within(1e-9));
        Assert.That(limited["backstop.exhausted"][0], Is.EqualTo(1));
        var small = SimulationEngine.SimulatePaths(Squeeze(new BackstopSpec(0.99, 0, 2)), 0, 1);
        Assert.That(small["backstop.absorbed"][0], Is.EqualTo(2).Within(1e-12), "its capital is what it can lose");
        foreach (var o in new[] { deep, limited, small })
            Assert.That(o.BadDebt[0], Is.EqualTo(o.BadDebtPaid[0] + o["backstop.absorbed"][0] + o["adl.lossAbsorbed"][0] + o.UncoveredLoss[0]).Within(1e-9),
                "bad debt = fund paid + absorbed + ADL + uncovered");
    }

    [Test]
    public void ItShallowsACrash()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h"), Stress = [new StressShock(5, 0, -0.08)], Paths = 2000 };
        var with = d with { Venue = d.Venue with { Mechanisms = d.Venue.Mechanisms.With(new BackstopSpec(0.01, 0.03, 2e9)) } };
        var a = SimulationEngine.Run(d, new RunOptions { Backend = new ManagedBackend(2) }).Assets[0].Value.MaxDrawdown;
        var r = SimulationEngine.Run(with, new RunOptions { Backend = new ManagedBackend(2) });
        var b = r.Assets[0].Value.MaxDrawdown;
        TestContext.Out.WriteLine($"BTC max drawdown {a.Mean:P3} without, {b.Mean:P3} with a 1% backstop");
        Assert.That(a.Mean - b.Mean, Is.GreaterThan(4 * Math.Sqrt(a.StandardError * a.StandardError + b.StandardError * b.StandardError)));
        Assert.That(r.Mechanisms.Mean("backstop.taken").Mean, Is.GreaterThan(0));
    }

    // ------------------------------------------------------------------ the account backstop (takeover q)

    private const double Q = 2.0 / 3.0;

    /// <summary>
    /// One asset at 100 with no volatility and a linear book of 1e6 per 1%, maintenance rate 5%; a long of 10,000 units
    /// (1e6 USD) at 100 on collateral 1e5 (leverage 10): its equity at P is 1e5 + 1e4 (P - 100), its requirement 500 P. The
    /// price gaps at step 0 to <paramref name="first"/> (and at step 1 to <paramref name="second"/>); with
    /// <paramref name="lowLeverage"/> a second long at leverage 5 (collateral 2e5) trades too.
    /// </summary>
    private static Scenario Gapping(BackstopSpec? backstop, double first, double? second = null, bool lowLeverage = false)
    {
        var asset = Asset("BTC", P0, 0, depth1pct: Depth, permanentImpact: 1);
        CohortSpec[] cohorts = lowLeverage ? [Isolated(0, 1e6, 10, P0), Isolated(0, 1e6, 5, P0)] : [Isolated(0, 1e6, 10, P0)];
        StressShock[] stress = second is double p2
            ? [new StressShock(0, 0, Math.Log(first / P0)), new StressShock(1, 0, Math.Log(p2 / first))]
            : [new StressShock(0, 0, Math.Log(first / P0))];
        var s = Single(asset, cohorts, horizon: "2h", steps: 2, margin: 0.05) with { Stress = [.. stress] };
        return backstop is null ? s : s with { Venue = s.Venue with { Mechanisms = MechanismSet.Empty.With(backstop) } };
    }

    /// <summary>At 92 the long's equity, 20,000, is below 2/3 of its requirement (46,000): the vault takes it over whole,
    /// with the margin left, and the book sees no flow.</summary>
    [Test]
    public void TheAccountBackstopTakesOverAnAccountBelowItsShareOfTheRequirement()
    {
        var o = SimulationEngine.SimulatePaths(Gapping(BackstopSpec.TakingOver(Q, double.PositiveInfinity), 92), 0, 1);
        Assert.That(o["backstop.takeovers"][0], Is.EqualTo(1));
        Assert.That(o.FinalPrice[0], Is.EqualTo(92).Within(1e-12 * P0), "no flow reaches the book");
        Assert.That(o["backstop.taken"][0], Is.EqualTo(1e4 * 92).Within(1e-6));
        Assert.That(o["backstop.inventory"][0], Is.EqualTo(1e4 * 92).Within(1e-6), "it holds the position (no unwinding)");
        Assert.That(o["backstop.pnl"][0], Is.EqualTo(2e4).Within(1e-6), "the margin left is its gain");
        Assert.That(o.LiquidatedNotional[0], Is.EqualTo(1e4 * 92).Within(1e-6), "a takeover is a liquidation");
        Assert.That(o.CohortLiquidations[0], Is.EqualTo(1));
        Assert.That(o.BadDebt[0], Is.Zero);
        Assert.That(o["backstop.exhausted"][0], Is.Zero);
    }

    /// <summary>At 94 the equity (40,000) is below the requirement (47,000) but above 2/3 of it: the book liquidates it, and
    /// every output but the vault's equals the run without the vault, bit for bit.</summary>
    [Test]
    public void AboveItsShareTheBookLiquidatesAsWithoutIt()
    {
        var with = SimulationEngine.SimulatePaths(Gapping(BackstopSpec.TakingOver(Q, double.PositiveInfinity), 94), 0, 1);
        var without = SimulationEngine.SimulatePaths(Gapping(null, 94), 0, 1);
        Assert.That(with["backstop.takeovers"][0], Is.Zero);
        Assert.That(with.LiquidatedNotional[0], Is.GreaterThan(0), "the book liquidated it");
        foreach (var row in new[] { OutputSchema.BadDebt, OutputSchema.LiquidatedNotional, OutputSchema.FinalPrice, OutputSchema.MaxDrawdown,
                     OutputSchema.CohortLiquidations, OutputSchema.UncoveredLoss })
            Assert.That(with[row][0], Is.EqualTo(without[row][0]), row.Key);
    }

    /// <summary>At 89 the account is worth -10,000: the vault takes it over and the negative value is bad debt for the
    /// waterfall (no fund, no ADL: uncovered), not a loss the vault absorbs.</summary>
    [Test]
    public void AnAccountWorthLessThanNothingLeavesItsBadDebtToTheWaterfall()
    {
        var o = SimulationEngine.SimulatePaths(Gapping(BackstopSpec.TakingOver(Q, double.PositiveInfinity), 89), 0, 1);
        Assert.That(o["backstop.takeovers"][0], Is.EqualTo(1));
        Assert.That(o.BadDebt[0], Is.EqualTo(1e4).Within(1e-6));
        Assert.That(o.UncoveredLoss[0], Is.EqualTo(1e4).Within(1e-6));
        Assert.That(o["backstop.absorbed"][0], Is.Zero);
        Assert.That(o["backstop.pnl"][0], Is.Zero.Within(1e-6), "it holds the position at its value, made whole by the bad debt");
        Assert.That(o.FinalPrice[0], Is.EqualTo(89).Within(1e-12 * P0));
    }

    /// <summary>A vault whose capital (500,000) is below the account's 920,000 cannot take it: the book liquidates it as
    /// without the vault, and the vault is marked exhausted.</summary>
    [Test]
    public void AnAccountBeyondItsCapitalGoesToTheBook()
    {
        var with = SimulationEngine.SimulatePaths(Gapping(BackstopSpec.TakingOver(Q, 5e5), 92), 0, 1);
        var without = SimulationEngine.SimulatePaths(Gapping(null, 92), 0, 1);
        Assert.That(with["backstop.takeovers"][0], Is.Zero);
        Assert.That(with["backstop.exhausted"][0], Is.EqualTo(1));
        Assert.That(with.FinalPrice[0], Is.EqualTo(without.FinalPrice[0]));
        Assert.That(with.BadDebt[0], Is.EqualTo(without.BadDebt[0]));
    }

    /// <summary>The vault takes the leverage-10 long at 92 (gaining 20,000); at 80 it has lost 10,000 x 12 - 20,000 =
    /// 100,000 on it, and the leverage-5 long (equity 0) falls below its share: a loss limit of 50,000 sends it to the book,
    /// none takes it over too. The vault's gains and losses are the account values it took and the moves since.</summary>
    [Test]
    public void ItsLossLimitStopsItTakingOver()
    {
        var open = SimulationEngine.SimulatePaths(Gapping(BackstopSpec.TakingOver(Q, double.PositiveInfinity), 92, 80, lowLeverage: true), 0, 1);
        Assert.That(open["backstop.takeovers"][0], Is.EqualTo(2));
        Assert.That(open["backstop.pnl"][0], Is.EqualTo(2e4 - 1e4 * 12).Within(1e-6), "+20,000, -120,000 on the first, 0 from the second");
        Assert.That(open.FinalPrice[0], Is.EqualTo(80).Within(1e-12 * P0));
        var limited = SimulationEngine.SimulatePaths(Gapping(BackstopSpec.TakingOver(Q, double.PositiveInfinity, lossLimit: 5e4), 92, 80, lowLeverage: true), 0, 1);
        Assert.That(limited["backstop.takeovers"][0], Is.EqualTo(1));
        Assert.That(limited["backstop.exhausted"][0], Is.EqualTo(1));
        Assert.That(limited.FinalPrice[0], Is.LessThan(80), "the book sold the second");
    }

    /// <summary>Over the default scenario under a crash: the vault's P&amp;L is what it took over at the mids plus the moves
    /// since, so the bad debt still adds up through the waterfall, and takeovers keep the price shallower than the book
    /// alone (a vault with no unwinding never sells).</summary>
    [Test]
    public void TakeoversKeepTheirFlowOffTheBook()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h"), Stress = [new StressShock(5, 0, -0.08)], Paths = 2000 };
        var with = d with { Venue = d.Venue with { Mechanisms = d.Venue.Mechanisms.With(BackstopSpec.TakingOver(Q, double.PositiveInfinity)) } };
        var a = SimulationEngine.Run(d, new RunOptions { Backend = new ManagedBackend(2) }).Assets[0].Value.MaxDrawdown;
        var r = SimulationEngine.Run(with, new RunOptions { Backend = new ManagedBackend(2) });
        var b = r.Assets[0].Value.MaxDrawdown;
        TestContext.Out.WriteLine($"BTC max drawdown {a.Mean:P3} without, {b.Mean:P3} with the account backstop");
        Assert.That(r.Mechanisms.Mean("backstop.takeovers").Mean, Is.GreaterThan(0));
        Assert.That(a.Mean - b.Mean, Is.GreaterThan(4 * Math.Sqrt(a.StandardError * a.StandardError + b.StandardError * b.StandardError)));
        var o = SimulationEngine.SimulatePaths(with, 0, 200);
        for (int p = 0; p < o.Count; p++)
            Assert.That(o.BadDebt[p], Is.EqualTo(o.BadDebtPaid[p] + o["adl.lossAbsorbed"][p] + o.UncoveredLoss[p]).Within(1e-6 * Math.Max(1, o.BadDebt[p])),
                $"path {p}: bad debt = fund paid + ADL + uncovered (the vault absorbs none)");
    }

    private static readonly string Yaml = MechanismChecks.Yaml(venueKeys: "\n  backstop: {slippage: 0.02, discount: 0.05, capital: 5e8}");

    [Test]
    public void TheKeysBindAndRoundTrip()
    {
        var s = ScenarioLoader.LoadYaml(Yaml);
        Assert.That(s.Venue.Mechanisms.Get<BackstopSpec>(), Is.EqualTo(new BackstopSpec(0.02, 0.05, 5e8)));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Indented(s)), Is.EqualTo(s));
        var full = ScenarioLoader.LoadYaml(Yaml.Replace("capital: 5e8}", "capital: 5e8, lossLimit: 1e8, unwindRate: 2}", StringComparison.Ordinal));
        Assert.That(full.Venue.Mechanisms.Get<BackstopSpec>(), Is.EqualTo(new BackstopSpec(0.02, 0.05, 5e8, 1e8, 2)));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Indented(full)), Is.EqualTo(full));
        var accounts = ScenarioLoader.LoadYaml(Yaml.Replace("{slippage: 0.02, discount: 0.05, capital: 5e8}", "{takeover: 0.5, capital: 5e8, unwindRate: 1}", StringComparison.Ordinal));
        Assert.That(accounts.Venue.Mechanisms.Get<BackstopSpec>(), Is.EqualTo(BackstopSpec.TakingOver(0.5, 5e8, unwindRate: 1)));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Indented(accounts)), Is.EqualTo(accounts));
        Assert.That(ScenarioJson.Indented(accounts), Does.Not.Contain("slippage"));
        var off = ScenarioLoader.LoadYaml(Yaml.Replace("{slippage: 0.02, discount: 0.05, capital: 5e8}", "off", StringComparison.Ordinal));
        Assert.That(off.Venue.Mechanisms.Get<BackstopSpec>(), Is.Null, "off leaves the mechanism out");
    }

    [TestCase("{slippage: 0, discount: 0.05, capital: 5e8}", "venue.backstop.slippage", "must be in (0, 1)")]
    [TestCase("{slippage: 1, discount: 0.05, capital: 5e8}", "venue.backstop.slippage", "must be in (0, 1)")]
    [TestCase("{slippage: 0.02, discount: 1, capital: 5e8}", "venue.backstop.discount", "must be in [0, 1)")]
    [TestCase("{slippage: 0.02, discount: 0.05, capital: 0}", "venue.backstop.capital", "must be > 0")]
    [TestCase("{slippage: 0.02, discount: 0.05, capital: 5e8, lossLimit: 0}", "venue.backstop.lossLimit", "must be > 0")]
    [TestCase("{slippage: 0.02, discount: 0.05, capital: 5e8, unwindRate: -1}", "venue.backstop.unwindRate", "must be >= 0")]
    [TestCase("{slippage: 0.02, discount: 0.05}", "venue.backstop.capital", "required")]
    [TestCase("{takeover: 0, capital: 5e8}", "venue.backstop.takeover", "must be in (0, 1]")]
    [TestCase("{takeover: 1.5, capital: 5e8}", "venue.backstop.takeover", "must be in (0, 1]")]
    [TestCase("{takeover: 0.5, slippage: 0.02, capital: 5e8}", "venue.backstop.slippage", "not with takeover")]
    [TestCase("{takeover: 0.5, discount: 0.02, capital: 5e8}", "venue.backstop.discount", "not with takeover")]
    [TestCase("{takeover: 0.5}", "venue.backstop.capital", "required")]
    [TestCase("{capital: 5e8}", "venue.backstop.slippage", "required")]
    public void BadValuesAreRefusedNamingTheField(string subtree, string path, string message) =>
        MechanismChecks.AssertRefused(Yaml.Replace("{slippage: 0.02, discount: 0.05, capital: 5e8}", subtree, StringComparison.Ordinal), path, message);
}

/// <summary>The backstop (with a loss limit and unwinding, beside depth under stress) on every ILGPU device.</summary>
[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]
public class BackstopParityTests(string deviceName, string reason) : DeviceFixture(deviceName, reason)
{
    [Test]
    public void PerPathOutputsMatchTheManagedReference()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h") };
        var s = d with
        {
            Stress = [new StressShock(5, 0, -0.1), new StressShock(5, 1, -0.12), new StressShock(20, 2, -0.15)],
            Venue = d.Venue with { InsuranceFund = 2e6, Mechanisms = d.Venue.Mechanisms.With(new BackstopSpec(0.01, 0.03, 5e8, 2e7, 0.5)) },
            Assets = [.. d.Assets.Select(a => a with { Liquidity = new LiquiditySpec(0.5, null, Duration.Parse("2h"), 0.2, Duration.Parse("30m")) })],
        };
        var reference = MechanismChecks.AssertParity(Device, s);
        Assert.That(reference["backstop.taken"].Average(), Is.GreaterThan(0));
        for (int p = 0; p < reference.Count; p++)
            Assert.That(reference.BadDebt[p], Is.EqualTo(reference.BadDebtPaid[p] + reference["backstop.absorbed"][p] + reference["adl.lossAbsorbed"][p]
                + reference.UncoveredLoss[p]).Within(1e-6 * Math.Max(1, reference.BadDebt[p])), $"path {p}: the waterfall adds up");
        Assert.That(reference["backstop.absorbed"].Sum(), Is.GreaterThan(0), "it absorbs bad debt on some paths");
    }

    /// <summary>The account backstop (with a loss limit, a capital that binds on some paths, and unwinding).</summary>
    [Test]
    public void TheAccountBackstopMatchesTheManagedReference()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h") };
        var s = d with
        {
            Stress = [new StressShock(5, 0, -0.1), new StressShock(5, 1, -0.12), new StressShock(20, 2, -0.15)],
            Venue = d.Venue with { InsuranceFund = 2e6, Adl = true, Mechanisms = d.Venue.Mechanisms.With(BackstopSpec.TakingOver(0.7, 2e8, 1e8, 0.5)) },
        };
        var reference = MechanismChecks.AssertParity(Device, s);
        Assert.That(reference["backstop.takeovers"].Average(), Is.GreaterThan(0));
        Assert.That(reference["backstop.exhausted"].Sum(), Is.GreaterThan(0), "its capital or loss limit binds on some paths");
    }
}
