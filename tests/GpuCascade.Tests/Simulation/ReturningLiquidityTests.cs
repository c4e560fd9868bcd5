using System.Collections.Immutable;
using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;
using GpuCascade.Validation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// Returning liquidity (docs/model.md section 8.6): the closed forms of a one-off displacement traded away by LPs (no
/// cap, a binding cap, a delay), the square root's inversion, the effect on a deterministic crash and on the flash crash,
/// the rules, and that LPs with kappa 0 change nothing. Its parity case is <see cref="ReturningLiquidityParityTests"/>.
/// </summary>
public class ReturningLiquidityTests
{
    private const double P0 = 100, Depth = 1e6, Kappa = 0.25, D0 = -0.02;
    private const int Steps = 10;

    /// <summary>
    /// The closed forms' setup: one asset at 100, linear depth 1e6 per 1%, fully permanent impact (y = 0), no volatility,
    /// 10 steps; the opening round sells one isolated long of 20,000 units (2e6 USD, leverage 10), so d0 = -0.02.
    /// </summary>
    internal static Scenario Displaced(ReturningLiquiditySpec? lps, AssetSpec? asset = null)
    {
        asset ??= Asset("BTC", P0, 0, depth1pct: Depth, permanentImpact: 1);
        if (lps is not null) asset = asset with { Mechanisms = asset.Mechanisms.With(lps) };
        var marked = Isolated(0, 2e6, 10, P0) with { LiquidateAtStart = true };
        return Single(asset, [marked], steps: Steps, margin: 0.05);
    }

    private static (RunResult Result, PathOutputs Outputs) RunOne(Scenario scenario)
    {
        var result = SimulationEngine.Run(scenario, new RunOptions { Paths = 1, Backend = new ManagedBackend(1), SamplePaths = 1 });
        return (result, SimulationEngine.SimulatePaths(scenario, 0, 1));
    }

    /// <summary>
    /// The path of <c>d_t = ln(P/F)</c> after step t's trade, the LPs' inventory (units) and cash, and the steps they traded,
    /// worked step by step from docs/model.md section 8.6 (linear impact, permanent share 1, F = 100): the trade aims at
    /// kappa gamma_{t-L}, q = aimed D / 0.01, clipped to the capital at the mid m = 100 e^d, filled at m e^(Delta/2).
    /// </summary>
    private static (double[] D, double Inventory, double Cash, int TradeSteps, bool Exhausted) Worked(int delay, double capital)
    {
        var d = new double[Steps];
        var gammas = new double[Steps];
        double current = D0, inventory = 0, cash = 0;
        int trades = 0;
        bool exhausted = false;
        for (int t = 0; t < Steps; t++)
        {
            gammas[t] = -current;
            double signal = delay == 0 ? gammas[t] : t >= delay ? gammas[t - delay] : 0;
            double q = Kappa * signal * Depth / 0.01, m = P0 * Math.Exp(current);
            double value = inventory * m;
            double clipped = Math.Min(Math.Max(q, Math.Min(0, -capital - value)), Math.Max(0, capital - value));
            if (clipped != q)
            {
                exhausted = true;
                if (Math.Abs(clipped) <= 1e-9 * capital) clipped = 0;
            }
            if (clipped != 0)
            {
                double units = clipped / m, delta = 0.01 * units * m / Depth;
                inventory += units;
                cash -= units * m * Math.Exp(delta / 2);
                current += delta;
                trades++;
            }
            d[t] = current;
        }
        return (d, inventory, cash, trades, exhausted);
    }

    private static void AssertPath(int delay, double capital, Func<int, double> closedForm, double finalPrice, int tradeSteps, bool exhausted,
        double? inventoryUsd = null, double? pnl = null)
    {
        var (result, o) = RunOne(Displaced(new ReturningLiquiditySpec(Kappa, delay, capital)));
        var worked = Worked(delay, capital);
        var record = result.SamplePaths!;
        Assert.That(Math.Log(record.Price(0, 0, 0)), Is.EqualTo(D0).Within(1e-15), "row 0: the opening round's displacement");
        for (int t = 0; t < Steps; t++)
        {
            Assert.That(worked.D[t], Is.EqualTo(closedForm(t)).Within(1e-12), $"step {t}: the worked path against the closed form");
            Assert.That(Math.Log(record.Price(0, t + 1, 0)), Is.EqualTo(worked.D[t]).Within(1e-12), $"step {t}: the record's discount");
        }
        Assert.That(o.FinalPrice[0], Is.EqualTo(finalPrice).Within(1e-12 * finalPrice), "final price (docs/model.md 8.6)");
        Assert.That(o.FinalPrice[0], Is.EqualTo(P0 * Math.Exp(worked.D[^1])).Within(1e-12 * finalPrice));
        Assert.That(o["returningLiquidity.tradeSteps"][0], Is.EqualTo(tradeSteps));
        Assert.That(worked.TradeSteps, Is.EqualTo(tradeSteps));
        Assert.That(o["returningLiquidity.capitalExhausted"][0], Is.EqualTo(exhausted ? 1 : 0));
        double inventory = worked.Inventory * o.FinalPrice[0], profit = inventory + worked.Cash;
        Assert.That(o["returningLiquidity.inventory"][0], Is.EqualTo(inventory).Within(1e-9 * Math.Abs(inventory)));
        Assert.That(o["returningLiquidity.pnl"][0], Is.EqualTo(profit).Within(1e-9 * Math.Abs(profit)));
        Assert.That(o["returningLiquidity.loss"][0], Is.EqualTo(-o["returningLiquidity.pnl"][0]), "the loss is minus the P&L");
        if (inventoryUsd is double iu) Assert.That(inventory, Is.EqualTo(iu).Within(1e-4), "inventory (docs/model.md 8.6)");
        if (pnl is double p) Assert.That(profit, Is.EqualTo(p).Within(1e-4), "P&L (docs/model.md 8.6)");
        // The LPs are no liquidation: the cascade measure keeps the opening round's displacement only.
        Assert.That(o.MaxDisplacement[0], Is.EqualTo(-D0).Within(1e-15));
        Assert.That(o.CohortLiquidations[0], Is.EqualTo(1));
    }

    /// <summary>(a) L = 0, no cap: the discount decays by (1 - kappa) a step, d_t = d0 0.75^(t+1).</summary>
    [Test]
    public void WithoutACapTheDisplacementDecaysGeometrically() =>
        AssertPath(0, double.PositiveInfinity, t => D0 * Math.Pow(0.75, t + 1), 99.8874363710156, 10, false, 1_908_181.2118, 17_957.4548);

    /// <summary>(b) L = 0, K = 1e6: as (a) until step 2, where the trade is clipped to the room left; then no trade.</summary>
    [Test]
    public void TheCapitalBindsAndTheDiscountStays()
    {
        const double d2 = -0.010058030865919;
        AssertPath(0, 1e6, t => t < 2 ? D0 * Math.Pow(0.75, t + 1) : d2, 98.99923819670171, 3, true, 1_001_192.6798, 4_969.3573);
        // The room at step 2, from the revalued purchases: K - sum_{j<2} q_j exp(d0 (0.75^2 - 0.75^j)).
        double room = 1e6 - 5e5 * Math.Exp(D0 * (0.5625 - 1)) - 3.75e5 * Math.Exp(D0 * (0.5625 - 0.75));
        Assert.That(room, Is.EqualTo(119_196.913408).Within(1e-6));
        Assert.That(D0 * 0.5625 + 0.01 * room / Depth, Is.EqualTo(d2).Within(1e-14));
    }

    /// <summary>(c) L = 1: no trade at step 0, then d_t = d_{t-1} - kappa d_{t-2}, which at kappa = 1/4 is d0 (1 + t/2) 2^-t.</summary>
    [Test]
    public void ADelayOfOneStepDecaysWithoutOvershootAtAQuarter() =>
        AssertPath(1, double.PositiveInfinity, t => D0 * (1 + t / 2.0) * Math.Pow(2, -t), 99.97851793272658, 9, false);

    /// <summary>Square-root impact: the flow is the inverse of the impact at the current memory, so step 0's trade closes
    /// exactly kappa of the discount whatever the memory the opening round left.</summary>
    [Test]
    public void TheSquareRootInversionClosesKappaOfTheDiscount()
    {
        var asset = Asset("BTC", P0, 0.5, permanentImpact: 1) with { Impact = new SquareRootImpact(3e8, 0.8) };
        var scenario = Displaced(new ReturningLiquiditySpec(Kappa), asset) with { Innovations = InnovationSpec.Normal };
        // Volatility 0.5 for the impact's scale; no shocks: zero out the diffusion by recording the exogenous price too.
        var (result, _) = RunOne(scenario);
        var r = result.SamplePaths!;
        double discount0 = Math.Log(r.Price(0, 0, 0) / r.ExogenousPrice(0, 0, 0));
        Assert.That(discount0, Is.LessThan(-1e-3), "the opening round displaced the price");
        // Row 1 holds the end of step 0: the exogenous move (the same for x and x_exo) leaves the discount, the LPs take kappa of it.
        double discount1 = Math.Log(r.Price(0, 1, 0) / r.ExogenousPrice(0, 1, 0));
        Assert.That(discount1, Is.EqualTo((1 - Kappa) * discount0).Within(1e-12));
    }

    /// <summary>
    /// The willingness W = (sw^2 / max(v, sw^2))^(xi / 2): with volatility 0.8, sw 0.4 and xi 1, step 0 trades half of
    /// kappa (v is the starting 0.64); step 1 reads v after the EWMA (1h half-life, kept although the asset has no
    /// <c>liquidity:</c>) took step 0's return. Linear, permanent impact: each step moves the discount by exactly -W kappa gamma.
    /// </summary>
    [Test]
    public void TheWillingnessFallsWithRealisedVolatility()
    {
        var asset = Asset("BTC", P0, 0.8, depth1pct: Depth, permanentImpact: 1);
        var scenario = Displaced(new ReturningLiquiditySpec(Kappa, VolatilityExponent: 1, VolatilityReference: 0.4), asset);
        var (result, o) = RunOne(scenario);
        var r = result.SamplePaths!;
        double Discount(int row) => Math.Log(r.Price(0, row, 0) / r.ExogenousPrice(0, row, 0));
        Assert.That(Discount(1), Is.EqualTo(D0 * (1 - 0.5 * Kappa)).Within(1e-12), "W = (0.16 / 0.64)^(1/2)");
        double dt = scenario.Horizon.Years / scenario.Steps;
        double lambda = Math.Exp(-dt * Math.Log(2) / LiquiditySpec.DefaultHalfLife.Years);
        double r0 = Math.Log(r.Price(0, 1, 0) / r.Price(0, 0, 0));
        double v1 = lambda * 0.64 + (1 - lambda) * r0 * r0 / dt;
        double w1 = Math.Sqrt(0.16 / Math.Max(v1, 0.16));
        Assert.That(w1, Is.LessThan(0.9), "the case needs a binding willingness");
        Assert.That(Discount(2), Is.EqualTo(Discount(1) * (1 - w1 * Kappa)).Within(1e-12));
        // xi = 0: the same path as without the key's willingness at all.
        var willing = RunOne(Displaced(new ReturningLiquiditySpec(Kappa), asset)).Outputs;
        Assert.That(willing.FinalPrice[0], Is.Not.EqualTo(o.FinalPrice[0]));
        var off = RunOne(Displaced(new ReturningLiquiditySpec(Kappa, VolatilityExponent: 0, VolatilityReference: 0.4), asset)).Outputs;
        Assert.That(OutputComparison.FirstDifference(willing, off, 0), Is.Null, "xi = 0 takes no power: bit for bit");
    }

    /// <summary>
    /// The effect on a deterministic crash: a -8% shock into a ladder of longs (theta 0.5, 60 one-minute steps). Without
    /// LPs the price ends below the exogenous one; with kappa 0.2 within 1% of that gap; with a tenth of the ladder as
    /// capital in between, the capital exhausted. The liquidations are the same: they happen in step 0's rounds, before
    /// the LPs first trade.
    /// </summary>
    [Test]
    public void LPsCloseTheGapACrashLeavesAndTheCapitalLimitsThem()
    {
        var asset = Asset("BTC", P0, 0, depth1pct: Depth, permanentImpact: 0.5);
        var ladder = Enumerable.Range(0, 20).Select(k => Isolated(0, 5e5, 12 - 0.25 * k, P0)).ToList();
        Scenario Crash(ReturningLiquiditySpec? lps) => Single(lps is null ? asset : asset with { Mechanisms = asset.Mechanisms.With(lps) },
            ladder, horizon: "1h", steps: 60, margin: 0.05) with { Stress = [new StressShock(0, 0, -0.08)] };
        double Gap(Scenario s) => Math.Log(SimulationEngine.SimulatePaths(s, 0, 1).FinalPrice[0] / (P0 * Math.Exp(-0.08)));

        var none = SimulationEngine.SimulatePaths(Crash(null), 0, 1);
        var free = SimulationEngine.SimulatePaths(Crash(new ReturningLiquiditySpec(0.2)), 0, 1);
        var capped = SimulationEngine.SimulatePaths(Crash(new ReturningLiquiditySpec(0.2, 0, 1e6)), 0, 1);
        Assert.That(none.Cascade[0], Is.EqualTo(1), "the ladder cascades");
        double gapNone = Gap(Crash(null)), gapFree = Gap(Crash(new ReturningLiquiditySpec(0.2))), gapCapped = Gap(Crash(new ReturningLiquiditySpec(0.2, 0, 1e6)));
        Assert.That(gapNone, Is.LessThan(-0.01), "without LPs the permanent half of the liquidations' move stays");
        Assert.That(Math.Abs(gapFree), Is.LessThan(0.01 * Math.Abs(gapNone)), "LPs trade the gap away");
        Assert.That(gapCapped, Is.GreaterThan(gapNone).And.LessThan(gapFree - 0.001), "the capital limits them");
        Assert.That(capped["returningLiquidity.capitalExhausted"][0], Is.EqualTo(1));
        Assert.That(free["returningLiquidity.capitalExhausted"][0], Is.EqualTo(0));
        Assert.That(free["returningLiquidity.pnl"][0], Is.GreaterThan(0), "buying a discount that closes pays");
        Assert.That(free.LiquidatedNotional[0], Is.EqualTo(none.LiquidatedNotional[0]));
        Assert.That(free.MaxDisplacement[0], Is.EqualTo(none.MaxDisplacement[0]), "z measures what liquidations did");
        Assert.That(free.MaxDrawdown[0], Is.EqualTo(none.MaxDrawdown[0]), "the trough is step 0's, before the LPs trade");
    }

    /// <summary>On the flash crash (1,000 paths), LPs on both assets pull the median final discount ln(P/F) towards 0 beyond
    /// its sampling error, and P(cascade) does not rise beyond its interval.</summary>
    [Test]
    public void OnTheFlashCrashTheFinalDiscountShrinks()
    {
        var crash = ScenarioLoader.LoadFile(Path.Combine(GpuCascade.Tests.Scenarios.ScenarioDocsTests.RepositoryRoot(), "scenarios", "flash-crash.yaml"))
            with { Paths = 1000 };
        var with = crash with { Assets = [.. crash.Assets.Select(a => a with { Mechanisms = a.Mechanisms.With(new ReturningLiquiditySpec(0.1)) })] };
        const int n = 1000; // the record keeps at most 1,000 sample paths
        (double Median, double Mad, RunResult Result) FinalDiscount(Scenario s)
        {
            var r = SimulationEngine.Run(s, new RunOptions { Backend = new ManagedBackend(2), SamplePaths = n });
            var p = r.SamplePaths!;
            var d = Enumerable.Range(0, n).SelectMany(k => Enumerable.Range(0, 2).Select(i => Math.Log(p.Price(k, p.Steps, i) / p.ExogenousPrice(k, p.Steps, i))))
                .Order().ToArray();
            double median = d[d.Length / 2];
            return (median, d.Select(x => Math.Abs(x - median)).Order().ElementAt(d.Length / 2), r);
        }
        var (m0, mad0, r0) = FinalDiscount(crash);
        var (m1, _, r1) = FinalDiscount(with);
        double se = 1.253 * 1.4826 * mad0 / Math.Sqrt(2 * n); // the median's standard error, from its MAD
        TestContext.Out.WriteLine($"median final ln(P/F): {m0:E3} without, {m1:E3} with LPs (s.e. {se:E2})");
        Assert.That(m0, Is.LessThan(-4 * se), "the flash crash leaves the price below the exogenous one");
        Assert.That(Math.Abs(m1), Is.LessThan(Math.Abs(m0) - 4 * se), "LPs pull it towards 0");
        Assert.That(r1.Probabilities.Cascade.Estimate, Is.LessThanOrEqualTo(r0.Probabilities.Cascade.Upper));
        Assert.That(r1.Mechanisms.Mean("returningLiquidity.tradeSteps").Mean, Is.GreaterThan(0));
    }

    /// <summary>With kappa 0 the LPs are off: every output equals that of the scenario without the key, bit for bit.</summary>
    [Test]
    public void KappaZeroChangesNothing()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h"), Stress = [new StressShock(5, 0, -0.1)] };
        var zero = d with { Assets = [.. d.Assets.Select(a => a with { Mechanisms = a.Mechanisms.With(new ReturningLiquiditySpec(0, 2, 1e6)) })] };
        var a = SimulationEngine.SimulatePaths(d, 0, 256);
        var b = SimulationEngine.SimulatePaths(zero, 0, 256);
        Assert.That(OutputComparison.FirstDifference(a, b, 0), Is.Null);
        Assert.That(a.CohortLiquidations.Sum(), Is.GreaterThan(0));
    }

    private static readonly string Yaml = MechanismChecks.Yaml(assetKeys: ", returningLiquidity: {kappa: 0.2, delay: 2, capital: 5e6}");

    [Test]
    public void TheKeysBindRoundTripAndDefault()
    {
        var s = ScenarioLoader.LoadYaml(Yaml);
        Assert.That(s.Assets[0].Mechanisms.Get<ReturningLiquiditySpec>(), Is.EqualTo(new ReturningLiquiditySpec(0.2, 2, 5e6)));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Indented(s)), Is.EqualTo(s), "the canonical JSON reads back");
        var plain = ScenarioLoader.LoadYaml(Yaml.Replace("{kappa: 0.2, delay: 2, capital: 5e6}", "{kappa: 0.2}", StringComparison.Ordinal));
        Assert.That(plain.Assets[0].Mechanisms.Get<ReturningLiquiditySpec>(), Is.EqualTo(new ReturningLiquiditySpec(0.2, 0, double.PositiveInfinity)));
        Assert.That(ScenarioJson.Canonical(plain), Does.Contain("\"returningLiquidity\":{\"kappa\":0.2,\"delay\":0}"), "no cap: no capital key");
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Indented(plain)), Is.EqualTo(plain));
    }

    [TestCase("{kappa: 1.5}", "assets[0].returningLiquidity.kappa", "must be in [0, 1]")]
    [TestCase("{kappa: -0.1}", "assets[0].returningLiquidity.kappa", "must be in [0, 1]")]
    [TestCase("{kappa: 1, delay: 1}", "assets[0].returningLiquidity.kappa", "must be < 1 with delay 1")]
    [TestCase("{kappa: 0.99, delay: 1}", "", "")]
    [TestCase("{kappa: 0.62, delay: 2}", "assets[0].returningLiquidity.kappa", "must be < 0.618034 with delay 2")]
    [TestCase("{kappa: 0.2, delay: 12}", "assets[0].returningLiquidity.delay", "must be an integer in 0 .. 11")]
    [TestCase("{kappa: 0.2, delay: -1}", "assets[0].returningLiquidity.delay", "")]
    [TestCase("{kappa: 0.2, capital: 0}", "assets[0].returningLiquidity.capital", "must be > 0")]
    [TestCase("{kappa: 0.2, capital: .nan}", "assets[0].returningLiquidity.capital", "")]
    [TestCase("{delay: 1}", "assets[0].returningLiquidity.kappa", "")]
    [TestCase("{kappa: 0.2, kapital: 1e6}", "assets[0].returningLiquidity.kapital", "did you mean 'capital'")]
    [TestCase("{kappa: 0.2, volatilityExponent: -1}", "assets[0].returningLiquidity.volatilityExponent", "must be >= 0")]
    [TestCase("{kappa: 0.2, volatilityExponent: 1, volatilityReference: 0}", "assets[0].returningLiquidity.volatilityReference", "must be > 0")]
    public void BadValuesAreRefusedNamingTheField(string subtree, string path, string message)
    {
        string yaml = Yaml.Replace("{kappa: 0.2, delay: 2, capital: 5e6}", subtree, StringComparison.Ordinal);
        if (path.Length == 0)
        {
            Assert.That(() => ScenarioLoader.LoadYaml(yaml), Throws.Nothing, "just inside the bound");
            return;
        }
        MechanismChecks.AssertRefused(yaml, path, message);
    }

    [Test]
    public void TheWillingnessNeedsAReferenceVolatility()
    {
        string yaml = Yaml.Replace("volatility: 0.6", "volatility: 0", StringComparison.Ordinal)
            .Replace("{kappa: 0.2, delay: 2, capital: 5e6}", "{kappa: 0.2, volatilityExponent: 1}", StringComparison.Ordinal);
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadYaml(yaml))!;
        Assert.That(e.Message, Does.Contain("assets[0].returningLiquidity.volatilityReference: required when volatilityExponent > 0"));
        var s = ScenarioLoader.LoadYaml(yaml.Replace("volatilityExponent: 1}", "volatilityExponent: 1, volatilityReference: 0.5}", StringComparison.Ordinal));
        Assert.That(s.Assets[0].Mechanisms.Get<ReturningLiquiditySpec>(), Is.EqualTo(new ReturningLiquiditySpec(0.2, 0, double.PositiveInfinity, 1, 0.5)));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Indented(s)), Is.EqualTo(s));
    }

    [Test]
    public void TheBuilderAddsTheLPsAsTheYamlDoes()
    {
        var yaml = ScenarioLoader.LoadYaml(Yaml);
        var built = new ScenarioBuilder().Horizon("1h").Steps(12).Paths(100).Seed(1)
            .Asset("BTC", price: 100, volatility: 0.6, depth1pct: 1e6, a => a.Mechanism(new ReturningLiquiditySpec(0.2, 2, 5e6)))
            .Venue(v => v.MaintenanceMargin(0.05))
            .Isolated("BTC", PositionSide.Long, notional: 1e4, leverage: 5)
            .Build();
        Assert.That(built.Assets[0], Is.EqualTo(yaml.Assets[0]));
    }

    /// <summary>The summary table shows the LPs' probabilities, loss distribution and means when the scenario has them,
    /// and nothing of them when it does not.</summary>
    [Test]
    public void TheSummaryTableShowsTheLPsOnlyWhenTheScenarioHasThem()
    {
        string Table(Scenario s) => GpuCascade.Reporting.SummaryTable.Format(
            SimulationEngine.Run(s, new RunOptions { Paths = 1, Backend = new ManagedBackend(1) }));
        string with = Table(Displaced(new ReturningLiquiditySpec(Kappa))), without = Table(Displaced(null));
        Assert.That(with, Does.Contain("LPs profit (P&L > 0)").And.Contain("LPs' loss").And.Contain("returningLiquidity: LPs' P&L 18.0k"));
        Assert.That(without, Does.Not.Contain("LPs"));
    }

    [Test]
    public void TheStabilityBoundIsTwoCosines()
    {
        Assert.That(ReturningLiquidityModule.StabilityBound(1), Is.EqualTo(1.0), "exactly: kappa = 1 with delay 1 is refused");
        Assert.That(ReturningLiquidityModule.StabilityBound(2), Is.EqualTo((Math.Sqrt(5) - 1) / 2).Within(1e-12));
    }
}

/// <summary>Returning liquidity on every ILGPU device against the managed reference: bit for bit on ilgpu-cpu, within the
/// parity tolerance on a GPU (as <see cref="ParityTests"/>), with every key on (delays, capital, willingness, square-root
/// impact, depth under stress with replenishment, uncertain inputs).</summary>
[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]
public class ReturningLiquidityParityTests(string deviceName, string reason) : DeviceFixture(deviceName, reason)
{
    /// <summary>The parity cases: the stressed default venue with LPs on every asset, with linear and square-root impact.</summary>
    internal static IEnumerable<(string Name, Scenario Scenario)> Cases()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h") };
        ReturningLiquiditySpec[] lps = [new(0.2), new(0.1, 2, 5e6, VolatilityExponent: 1), new(0.3, 1, 2e6, VolatilityExponent: 2, VolatilityReference: 0.6)];
        var stressed = d with
        {
            Stress = [new StressShock(5, 0, -0.1), new StressShock(5, 1, -0.12), new StressShock(20, 2, -0.15)],
            Venue = d.Venue with { InsuranceFund = 2e6 },
            Assets = [.. d.Assets.Select((a, i) => a with
            {
                Mechanisms = a.Mechanisms.With(lps[i]),
                Liquidity = new LiquiditySpec(0.5, null, Duration.Parse("2h"), 0.2, Duration.Parse("30m"), Replenishment: 0.5),
            })],
            Uncertainty = new UncertaintySpec(0.3, 0.2, 0.25),
        };
        yield return ("returning liquidity", stressed);
        yield return ("returning liquidity, willingness without depth under stress", stressed with
        {
            Assets = [.. stressed.Assets.Select(a => a with { Liquidity = null })],
        });
        yield return ("returning liquidity, square-root impact", stressed with
        {
            Assets = [.. stressed.Assets.Select(a => a with { Impact = new SquareRootImpact(3e9, 0.8) })],
        });
    }

    private static IEnumerable<TestCaseData> Scenarios() => Cases().Select(c => new TestCaseData(c.Scenario).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Scenarios))]
    public void PerPathOutputsMatchTheManagedReference(Scenario scenario)
    {
        var reference = MechanismChecks.AssertParity(Device, scenario);
        Assert.That(reference["returningLiquidity.tradeSteps"].Average(), Is.GreaterThan(1), "the LPs trade");
        Assert.That(reference["returningLiquidity.capitalExhausted"].Sum(), Is.GreaterThan(0), "the capital binds on some paths");
    }
}
