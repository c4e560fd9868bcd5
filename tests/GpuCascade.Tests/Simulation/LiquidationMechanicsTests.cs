using System.Collections.Immutable;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>Known answers for one liquidation, worked by hand from docs/model.md sections 3-5 (zero volatility).</summary>
public class LiquidationMechanicsTests
{
    private const double S0 = 100;

    /// <summary>
    /// One isolated long (10 units, entry 100, USD collateral 100 = leverage 10), m = 5%, penalty 1%, fund 50.
    /// A -8% stress shock: mid 100 e^-0.08 = 92.31; equity 100 + 10 (92.31 - 100) = 23.12 &lt; 46.2 = maintenance.
    /// Flow -923.1 USD; linear depth 10,000: Delta = 0.01 x -923.1 / 10,000; execution at mid e^(Delta/2).
    /// </summary>
    [Test]
    public void LinearImpactSettlementPenaltyAndFund()
    {
        const double depth = 10_000, m = 0.05, penalty = 0.01, fund = 50, theta = 0.3;
        var asset = Asset("BTC", S0, 0, depth1pct: depth, permanentImpact: theta);
        var scenario = Single(asset, [Isolated(0, 1000, 10, S0)], steps: 1, margin: m, penalty: penalty, fund: fund) with
        {
            Stress = [new StressShock(0, 0, -0.08)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);

        double mid = S0 * Math.Exp(-0.08);
        double delta = 0.01 * (-10 * mid) / depth;
        double exec = mid * Math.Exp(0.5 * delta);
        double balance = 100 + 10 * (exec - S0);        // closed at the execution price
        double pen = Math.Min(penalty * 10 * exec, Math.Max(balance, 0));
        double equity = balance - pen;
        double badDebt = Math.Max(-equity, 0);
        Assert.That(o.FinalPrice[0], Is.EqualTo(mid * Math.Exp(delta)).Within(1e-10));
        Assert.That(o.LiquidatedNotional[0], Is.EqualTo(10 * exec).Within(1e-9));
        Assert.That(o.Penalties[0], Is.EqualTo(pen).Within(1e-9));
        Assert.That(o.BadDebt[0], Is.EqualTo(badDebt).Within(1e-9));
        Assert.That(o.FundEnd[0], Is.EqualTo(fund + pen - Math.Min(fund + pen, badDebt)).Within(1e-9));
        Assert.That(o.MaxRoundsInStep[0], Is.EqualTo(1));
        Assert.That(o.MaxDisplacement[0], Is.EqualTo(Math.Abs(delta)).Within(1e-12));
        Assert.That(o.ExogenousMaxDrawdown[0], Is.EqualTo(1 - Math.Exp(-0.08)).Within(1e-12));
        Assert.That(o.MaxDrawdown[0], Is.EqualTo(1 - Math.Exp(-0.08 + delta)).Within(1e-12));
    }

    /// <summary>
    /// The opening round of --breach liquidate: a 10x long (10 units, entry 100) marked for it is closed at the starting
    /// price before any move, with linear impact (depth 10,000: Delta = 0.01 x -1,000 / 10,000, execution at
    /// 100 e^(Delta/2)), penalty 1% capped by its equity; a healthy long beside it is untouched.
    /// </summary>
    [Test]
    public void OpeningRoundLiquidatesMarkedCohortsAtTheStartingPrices()
    {
        const double depth = 10_000, penalty = 0.01;
        var asset = Asset("BTC", S0, 0, depth1pct: depth, permanentImpact: 1);
        var marked = Isolated(0, 1000, 10, S0) with { LiquidateAtStart = true };
        var healthy = Isolated(0, 10, 2, S0);
        var scenario = Single(asset, [marked, healthy], steps: 1, margin: 0.05, penalty: penalty);
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);

        double delta = 0.01 * (-10 * S0) / depth;
        double exec = S0 * Math.Exp(0.5 * delta);
        double balance = 100 + 10 * (exec - S0);
        double pen = Math.Min(penalty * 10 * exec, Math.Max(balance, 0));
        Assert.That(o.LiquidatedNotional[0], Is.EqualTo(10 * exec).Within(1e-9));
        Assert.That(o.Penalties[0], Is.EqualTo(pen).Within(1e-12));
        Assert.That(o.BadDebt[0], Is.EqualTo(0));
        Assert.That(o.FinalPrice[0], Is.EqualTo(S0 * Math.Exp(delta)).Within(1e-10), "permanent impact, no volatility");
        Assert.That(o.MaxDisplacement[0], Is.EqualTo(Math.Abs(delta)).Within(1e-12));
        Assert.That(o.CohortLiquidations[0], Is.EqualTo(1));
        Assert.That(o.MaxRoundsInStep[0], Is.EqualTo(0), "the opening round is not one of step 0's rounds");

        // A marked cohort may start below maintenance (the validator lets it: it is closed at once).
        var under = Isolated(0, 1000, 30, S0) with { LiquidateAtStart = true };
        Assert.That(() => SimulationEngine.SimulatePaths(Single(asset, [under], margin: 0.05), 0, 1), Throws.Nothing);
        Assert.That(() => SimulationEngine.SimulatePaths(Single(asset, [under with { LiquidateAtStart = false }], margin: 0.05), 0, 1),
            Throws.TypeOf<ScenarioException>());
    }

    /// <summary>A partly closed cohort of the opening round can take its next tranche in step 0: the opening round counts
    /// as no step, so the once-per-step rule of partial liquidation does not skip it for the whole of step 0.</summary>
    [Test]
    public void AfterAPartialOpeningRoundStepZeroLiquidatesAgain()
    {
        var asset = Asset("BTC", S0, 0, depth1pct: 1e9);
        var marked = Isolated(0, 1000, 5, S0) with { LiquidateAtStart = true };
        var scenario = Single(asset, [marked], steps: 1, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.30)],
            Venue = Single(asset, [marked]).Venue with { MaintenanceMargin = [new StaticMargin(0.05)], Liquidation = LiquidationPolicy.Partial(0.25) },
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
        Assert.That(o.MaxRoundsInStep[0], Is.GreaterThanOrEqualTo(1), "step 0's rounds see it below maintenance after the -30% shock");
        Assert.That(o.CohortLiquidations[0], Is.GreaterThanOrEqualTo(2));
    }

    /// <summary>A short squeezed by a +15% shock, closed at a bad-debt loss larger than the fund: uncovered loss.</summary>
    [Test]
    public void ShortWithBadDebtBeyondTheFundIsUncovered()
    {
        const double depth = 1_000;
        var asset = Asset("BTC", S0, 0, depth1pct: depth);
        var scenario = Single(asset, [Isolated(0, 1000, 10, S0, isLong: false)], steps: 1, margin: 0.05, penalty: 0.01, fund: 5) with
        {
            Stress = [new StressShock(0, 0, 0.15)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
        double mid = S0 * Math.Exp(0.15);
        double delta = 0.01 * (10 * mid) / depth;         // buying pushes the price up
        double exec = mid * Math.Exp(0.5 * delta);
        double equity = 100 - 10 * (exec - S0);           // negative: no penalty can be taken
        Assert.That(equity, Is.LessThan(-5), "the case needs bad debt above the fund");
        Assert.That(o.Penalties[0], Is.Zero);
        Assert.That(o.BadDebt[0], Is.EqualTo(-equity).Within(1e-9));
        Assert.That(o.BadDebtPaid[0], Is.EqualTo(5).Within(1e-12));
        Assert.That(o.UncoveredLoss[0], Is.EqualTo(-equity - 5).Within(1e-9));
        Assert.That(o.FundEnd[0], Is.Zero);
        Assert.That(o.FundMin[0], Is.Zero);
        Assert.That(o.FinalPrice[0], Is.EqualTo(mid * Math.Exp(delta)).Within(1e-10));
    }

    /// <summary>Square-root impact: Delta = -Y sigma/sqrt(365) sqrt(|Q|/V), execution at mid e^(2 Delta / 3).</summary>
    [Test]
    public void SquareRootImpact()
    {
        const double volume = 1e5, y = 0.7, sigma = 0.6;
        // Volatility enters only the impact: use a stress-only path by zeroing the shocks with a dedicated check of
        // determinism instead: a sqrt asset with sigma but a path whose exogenous move we read back.
        var asset = Asset("BTC", S0, sigma) with { Impact = new SquareRootImpact(volume, y) };
        var scenario = Single(asset, [Isolated(0, 1000, 10, S0)], steps: 1, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.2)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
        double exogenous = S0 * (1 - o.ExogenousMaxDrawdown[0]); // the only exogenous move is this step's
        double flow = 10 * exogenous;
        double delta = -y * sigma / Math.Sqrt(365) * Math.Sqrt(flow / volume);
        Assert.That(o.FinalPrice[0], Is.EqualTo(exogenous * Math.Exp(delta)).Within(1e-9));
        Assert.That(o.LiquidatedNotional[0], Is.EqualTo(10 * exogenous * Math.Exp(2.0 / 3.0 * delta)).Within(1e-8));
    }

    /// <summary>
    /// Square-root impact on the step's cumulative flow (docs/model.md section 3): a 10x long closed by a -20% shock sells Q1 and its
    /// impact liquidates a 4.17x long in round 2, which sells Q2. The step's move is I(Q1 + Q2), not I(Q1) + I(Q2): cut
    /// into rounds, the same flow moves the price as much as at once. Round 2 fills at the average impact over
    /// [Q1, Q1 + Q2] relative to I(Q1).
    /// </summary>
    [Test]
    public void SquareRootImpactActsOnTheStepsCumulativeFlow()
    {
        const double volume = 100, y = 0.7, sigma = 0.6;
        var asset = Asset("BTC", S0, sigma) with { Impact = new SquareRootImpact(volume, y) };
        var first = Isolated(0, 1000, 10, S0);             // liquidated below 94.7
        var second = Isolated(0, 1000, 1 / 0.24, S0);       // liquidated below 80 = 100 x 0.76 / 0.95
        var scenario = Single(asset, [first, second], horizon: "1m", steps: 1, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.2)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
        double p1 = S0 * (1 - o.ExogenousMaxDrawdown[0]); // about 81.9: only the first is below its price
        double c = y * sigma / Math.Sqrt(365) / Math.Sqrt(volume);
        double I(double x) => Math.Sign(x) * c * Math.Sqrt(Math.Abs(x));
        double F(double x) => 2.0 / 3.0 * c * Math.Pow(Math.Abs(x), 1.5);
        double q1 = -10 * p1;
        double exec1 = p1 * Math.Exp((F(q1) - F(0)) / q1);
        double mid2 = p1 * Math.Exp(I(q1));
        Assume.That(mid2, Is.LessThan(80), "the first liquidation's impact reaches the second");
        double q2 = -10 * mid2;
        double exec2 = mid2 * Math.Exp((F(q1 + q2) - F(q1)) / q2 - I(q1));
        Assert.That(o.MaxRoundsInStep[0], Is.EqualTo(2));
        Assert.That(o.FinalPrice[0], Is.EqualTo(p1 * Math.Exp(I(q1 + q2))).Within(1e-10 * S0));
        Assert.That(o.FinalPrice[0], Is.Not.EqualTo(p1 * Math.Exp(I(q1) + I(q2))).Within(1e-3 * S0), "not the per-round square root");
        Assert.That(o.LiquidatedNotional[0], Is.EqualTo(10 * exec1 + 10 * exec2).Within(1e-9 * 2000));
        Assert.That(o.MaxDisplacement[0], Is.EqualTo(Math.Abs(I(q1 + q2))).Within(1e-12));
    }

    /// <summary>The memory of executed flow decays with the impact half-life (docs/model.md section 3): five half-lives after a first
    /// liquidation, a second one starts from a small C and moves the price more (sqrt is concave) than with a memory that
    /// has not decayed. All impact permanent, so the transient decay does not blur the comparison.</summary>
    [Test]
    public void SquareRootImpactMemoryDecays()
    {
        const double volume = 100, y = 0.7, sigma = 0.6;
        double FinalPrice(string halfLife)
        {
            var asset = Asset("BTC", S0, sigma, permanentImpact: 1) with
            {
                Impact = new SquareRootImpact(volume, y), ImpactHalfLife = Duration.Parse(halfLife),
            };
            var scenario = Single(asset, [Isolated(0, 1000, 10, S0), Isolated(0, 1000, 10, S0 * 0.5)], horizon: "10m", steps: 10,
                margin: 0.05) with
            {
                Stress = [new StressShock(0, 0, -0.2), new StressShock(5, 0, -0.5)],
            };
            var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
            Assert.That(o.CohortLiquidations[0], Is.EqualTo(2), halfLife);
            return o.FinalPrice[0];
        }
        double decayed = FinalPrice("1m"), remembered = FinalPrice("1000d");
        Assert.That(decayed, Is.LessThan(remembered * 0.99), "the second sale moves the price more once the memory has decayed");
    }

    /// <summary>Transient impact decays with its half-life; the permanent share stays.</summary>
    [Test]
    public void TransientImpactDecaysWithItsHalfLife()
    {
        const double depth = 10_000, theta = 0.25;
        var asset = Asset("BTC", S0, 0, depth1pct: depth, permanentImpact: theta) with { ImpactHalfLife = Duration.Parse("2h") };
        var scenario = Single(asset, [Isolated(0, 1000, 10, S0)], horizon: "6h", steps: 6, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.08)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
        double mid = S0 * Math.Exp(-0.08);
        double delta = 0.01 * (-10 * mid) / depth;
        // Five one-hour decays after the liquidation step: transient part x 2^(-5/2).
        double expected = mid * Math.Exp(theta * delta + (1 - theta) * delta * Math.Pow(2, -2.5));
        Assert.That(o.FinalPrice[0], Is.EqualTo(expected).Within(1e-10));
    }

    /// <summary>With a one-step oracle delay the shock at step 0 is seen, and liquidated, only at step 1.</summary>
    [Test]
    public void DelayedOracleLiquidatesOneStepLater()
    {
        var asset = Asset("BTC", S0, 0, depth1pct: 1e4);
        var live = Single(asset, [Isolated(0, 1000, 10, S0)], horizon: "2h", steps: 2, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.08)],
        };
        var delayed = live with { Venue = live.Venue with { OracleDelaySteps = 1 } };
        var oneStep = live with { Steps = 1, Horizon = Duration.Parse("1h") };
        var oneStepDelayed = delayed with { Steps = 1, Horizon = Duration.Parse("1h") };
        Assert.That(SimulationEngine.SimulatePaths(oneStep, 0, 1).LiquidatedNotional[0], Is.GreaterThan(0));
        Assert.That(SimulationEngine.SimulatePaths(oneStepDelayed, 0, 1).LiquidatedNotional[0], Is.Zero);
        Assert.That(SimulationEngine.SimulatePaths(delayed, 0, 1).LiquidatedNotional[0], Is.GreaterThan(0));
    }

    /// <summary>Partial liquidation closes one tranche per step while the cohort stays liquidatable.</summary>
    [Test]
    public void PartialLiquidationClosesOneTranchePerStep()
    {
        // Enormous depth: no impact. After the shock equity/maintenance stays below 1 for a while.
        var asset = Asset("BTC", S0, 0);
        var full = Single(asset, [Isolated(0, 1000, 10, S0)], horizon: "3h", steps: 1, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.06)],
        };
        var partial = full with { Venue = full.Venue with { Liquidation = new LiquidationPolicy(0.25, 0) } };
        var o = SimulationEngine.SimulatePaths(partial, 0, 1);
        double price = S0 * Math.Exp(-0.06);
        Assert.That(o.LiquidatedNotional[0], Is.EqualTo(0.25 * 10 * price).Within(1e-9), "one tranche in the step");
        Assert.That(o.MaxRoundsInStep[0], Is.EqualTo(1));
        Assert.That(o.ClosedUnitsShare[0], Is.EqualTo(0.25).Within(1e-12));

        // Equity after the tranche: 100 + 2.5 (p - 100) (realised) + 7.5 (p - 100) = 100 + 10 (p - 100) = 41.76;
        // maintenance on the rest 0.05 x 7.5 p = 35.3: healthy, so a second step closes nothing more.
        var twoSteps = partial with { Steps = 2, Horizon = Duration.Parse("2h") };
        Assert.That(SimulationEngine.SimulatePaths(twoSteps, 0, 1).ClosedUnitsShare[0], Is.EqualTo(0.25).Within(1e-12));
    }

    /// <summary>A cohort whose equity after a partial fill is negative is closed entirely in the next round.</summary>
    [Test]
    public void PartialFillIntoNegativeEquityClosesTheRest()
    {
        var asset = Asset("BTC", S0, 0);
        var scenario = Single(asset, [Isolated(0, 1000, 10, S0)], steps: 1, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.2)],
            Venue = new VenueSpec { MaintenanceMargin = [new StaticMargin(0.05)], Liquidation = new LiquidationPolicy(0.25, 0) },
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
        Assert.That(o.ClosedUnitsShare[0], Is.EqualTo(1.0).Within(1e-12));
        Assert.That(o.MaxRoundsInStep[0], Is.EqualTo(2));
        double price = S0 * Math.Exp(-0.2);
        Assert.That(o.BadDebt[0], Is.EqualTo(-(100 + 10 * (price - S0))).Within(1e-9));
    }

    /// <summary>Coin-margined long: the collateral is sold with the position and counts at its weight.</summary>
    [Test]
    public void CoinMarginedCollateralIsSoldAndWeighted()
    {
        var asset = Asset("BTC", S0, 0, depth1pct: 1e6) with { CollateralWeight = 0.8 };
        var cohort = new CohortSpec
        {
            Positions = [new PositionSpec(0, 10, S0)],
            Collateral = [new CollateralHolding(0, 1.5)], // 150 USD at 100, weighted 120
        };
        // Equity at p: 0.8 x 1.5 p + 10 (p - 100); maintenance 0.05 x 10 p. Liquidatable below p = 1000 / 10.7 = 93.46.
        var above = Single(asset, [cohort], steps: 1, margin: 0.05) with { Stress = [new StressShock(0, 0, Math.Log(94.0 / S0))] };
        var below = Single(asset, [cohort], steps: 1, margin: 0.05, penalty: 0.01) with { Stress = [new StressShock(0, 0, Math.Log(93.0 / S0))] };
        Assert.That(SimulationEngine.SimulatePaths(above, 0, 1).LiquidatedNotional[0], Is.Zero);
        var o = SimulationEngine.SimulatePaths(below, 0, 1);
        double mid = 93.0;
        double delta = 0.01 * (-(10 + 1.5) * mid) / 1e6;   // position and collateral both sold
        double exec = mid * Math.Exp(0.5 * delta);
        Assert.That(o.FinalPrice[0], Is.EqualTo(mid * Math.Exp(delta)).Within(1e-9));
        Assert.That(o.LiquidatedNotional[0], Is.EqualTo(10 * exec).Within(1e-9), "collateral sales are not position notional");
        double balance = 10 * (exec - S0) + 1.5 * exec; // collateral sold at the execution price, no haircut
        Assert.That(balance, Is.GreaterThan(0));
        Assert.That(o.Penalties[0], Is.EqualTo(Math.Min(0.01 * 10 * exec, balance)).Within(1e-9));
    }

    /// <summary>An absurdly shallow market for the book overflows the price: the path stops and is counted as run away,
    /// the run goes on, and its warning names the path, step and asset (docs/model.md section 8.7).</summary>
    [Test]
    public void PriceOverflowStopsThePathNotTheRun()
    {
        var asset = Asset("BTC", S0, 0, depth1pct: 1e-3);
        var scenario = Single(asset, [Isolated(0, 1e9, 10, S0, isLong: false)], steps: 2, paths: 3, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, 0.15)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 3);
        Assert.That(o.Runaway.ToArray(), Is.EqualTo(new double[] { 1, 1, 1 }));
        Assert.That(o.BadDebt[0], Is.EqualTo(0), "the round that overflowed is not settled");
        var r = SimulationEngine.Run(scenario, new RunOptions { Backend = new GpuCascade.Backends.Managed.ManagedBackend(1) });
        Assert.That(r.Runaways, Is.EqualTo(3));
        Assert.That(r.Probabilities.Runaway.Estimate, Is.EqualTo(1));
        Assert.That(r.Warnings, Has.Some.Contains("3 of 3 paths ran away").And.Contain("path 0, step 0").And.Contain("BTC").And.Contain("assets[0]"));
    }

    /// <summary>A delay at or beyond the horizon means the oracle never leaves the starting price.</summary>
    [Test]
    public void OracleDelayBeyondTheHorizonSeesOnlyTheStartingPrice()
    {
        var asset = Asset("BTC", S0, 0, depth1pct: 1e4);
        var scenario = Single(asset, [Isolated(0, 1000, 10, S0)], horizon: "3h", steps: 3, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.3)],
        };
        foreach (int delay in new[] { 3, 1_000_000_000 })
        {
            var delayed = scenario with { Venue = scenario.Venue with { OracleDelaySteps = delay } };
            Assert.That(SimulationEngine.SimulatePaths(delayed, 0, 1).LiquidatedNotional[0], Is.Zero, $"delay {delay}");
        }
    }

    /// <summary>
    /// Tiered margin per account: 10 accounts hold 10,000 units (entry 100, USD collateral 100,000); brackets 1% up to
    /// 50,000 per account and 5% above, continuous amount 2,000. Per account notional at p is 1,000 p, so the cohort is
    /// liquidatable when 100,000 + 10,000 (p - 100) &lt; 10 (50 p - 2,000), i.e. p &lt; 92.63 (a flat 5% gives 94.74).
    /// </summary>
    [TestCase(93.0, false)]
    [TestCase(92.2, true)]
    public void TieredMarginAppliesPerAccountBrackets(double price, bool liquidated)
    {
        var tiers = new TieredMargin(GpuCascade.Scenarios.MaintenanceMargin.ContinuousTiers([(5e4, 0.01), (double.PositiveInfinity, 0.05)]));
        Assert.That(tiers.Tiers[1].Amount, Is.EqualTo(2000));
        var scenario = Single(Asset("BTC", S0, 0), [Isolated(0, 1e6, 10, S0, accounts: 10)], steps: 1) with
        {
            Venue = new VenueSpec { MaintenanceMargin = [tiers] },
            Stress = [new StressShock(0, 0, Math.Log(price / S0))],
        };
        Assert.That(SimulationEngine.SimulatePaths(scenario, 0, 1).LiquidatedNotional[0] > 0, Is.EqualTo(liquidated));
    }

    /// <summary>
    /// Volatility-scaled margin m = max(1%, 3 x 0.8 x sqrt(1h in years)) = 2.564%: liquidatable below p = 92.37
    /// (the 1% floor alone would give 90.91). One step of one second keeps the diffusion below 0.02%.
    /// </summary>
    [TestCase(93.0, false)]
    [TestCase(91.8, true)]
    public void DynamicMarginScalesWithVolatility(double price, bool liquidated)
    {
        var rule = new DynamicMargin(0.01, 3, Duration.Parse("1h"));
        var scenario = Single(Asset("BTC", S0, 0.8), [Isolated(0, 1e6, 10, S0)], horizon: "1s", steps: 1) with
        {
            Venue = new VenueSpec { MaintenanceMargin = [rule] },
            Stress = [new StressShock(0, 0, Math.Log(price / S0))],
        };
        Assert.That(SimulationEngine.SimulatePaths(scenario, 0, 1).LiquidatedNotional[0] > 0, Is.EqualTo(liquidated));
    }
}
