using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// The backstop liquidity provider (docs/model.md section 8.11): it takes exactly a round's overflow beyond the slippage
/// limit, at the mid less its discount, within its capital; the cohorts settle at the blended fill; it absorbs bad debt
/// after the fund up to its loss limit; it unwinds at its rate; the rules; parity.
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
    }

    [TestCase("{slippage: 0, discount: 0.05, capital: 5e8}", "venue.backstop.slippage", "must be in (0, 1)")]
    [TestCase("{slippage: 1, discount: 0.05, capital: 5e8}", "venue.backstop.slippage", "must be in (0, 1)")]
    [TestCase("{slippage: 0.02, discount: 1, capital: 5e8}", "venue.backstop.discount", "must be in [0, 1)")]
    [TestCase("{slippage: 0.02, discount: 0.05, capital: 0}", "venue.backstop.capital", "must be > 0")]
    [TestCase("{slippage: 0.02, discount: 0.05, capital: 5e8, lossLimit: 0}", "venue.backstop.lossLimit", "must be > 0")]
    [TestCase("{slippage: 0.02, discount: 0.05, capital: 5e8, unwindRate: -1}", "venue.backstop.unwindRate", "must be >= 0")]
    [TestCase("{slippage: 0.02, discount: 0.05}", "venue.backstop.capital", "required")]
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
}
