using System.Collections.Immutable;
using GpuCascade.Backends.Managed;
using GpuCascade.Book;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Book;

/// <summary>The liquidation ladder (docs/model.md, "The liquidation ladder"): known liquidation prices computed by hand land
/// in their levels, the accounting identity, supercritical against subcritical depth, and agreement with the engine's own
/// margin check on a deterministic one-step shock.</summary>
public class LiquidationLadderTests
{
    private const double P0 = 100, Mm = 0.05;

    /// <summary>A long of notional <paramref name="notional"/> entered at P0 whose margin check fails once the price falls by
    /// more than <paramref name="move"/>: b + q (P - P0) &lt; m q P gives P &lt; (q P0 - b) / (q (1 - m)), so
    /// b = notional (1 - (1 - move)(1 - m)).</summary>
    private static CohortSpec LongAt(double notional, double move, int asset = 0, double price = P0) => new()
    {
        Positions = [new PositionSpec(asset, notional / price, price)],
        UsdCollateral = notional * (1 - (1 - move) * (1 - Mm)),
    };

    /// <summary>A short whose check fails once the price rises by more than <paramref name="move"/>:
    /// b - q (P - P0) &lt; m q P (q the short's size) gives P &gt; (b + q P0) / (q (1 + m)), so b = notional ((1 + move)(1 + m) - 1).</summary>
    private static CohortSpec ShortAt(double notional, double move, int asset = 0, double price = P0) => new()
    {
        Positions = [new PositionSpec(asset, -notional / price, price)],
        UsdCollateral = notional * ((1 + move) * (1 + Mm) - 1),
    };

    private static Scenario Book(double depth, params CohortSpec[] cohorts) =>
        Single(Asset("BTC", P0, 0.5, depth1pct: depth), cohorts, margin: Mm);

    [Test]
    public void IsolatedLongsAndShortsLandInTheLevelOfTheirLiquidationPrice()
    {
        // Long 1,000 units at 100, leverage 10: 10,000 + 1,000 (P - 100) < 50 P for P < 94.7368: a fall of 5.26%, level 6.
        var tenX = Isolated(0, 1000 * P0, 10, P0);
        // Leverage 5: P < 84.2105, 15.8%: level 16. Leverage 4: P < 78.95, beyond 20%: not on the ladder.
        var fiveX = Isolated(0, 2000 * P0, 5, P0);
        var fourX = Isolated(0, 3000 * P0, 4, P0);
        // Short 1,000 at 100, leverage 10: 10,000 - 1,000 (P - 100) < 50 P for P > 104.762: a rise of 4.76%, level 5.
        var shortTen = Isolated(0, 1000 * P0, 10, P0, isLong: false);
        var ladder = LiquidationLadder.Of(Book(1e12, tenX, fiveX, fourX, shortTen));
        var down = ladder["BTC"].Down;
        var up = ladder["BTC"].Up;
        Assert.That(ladder.Levels, Is.EqualTo(20));
        Assert.That(down.Notional, Has.Count.EqualTo(21));
        for (int k = 0; k <= 20; k++)
        {
            Assert.That(down.Notional[k], Is.EqualTo(k switch { 6 => 1e5, 16 => 2e5, _ => 0 }).Within(1e-6), $"down level {k}");
            Assert.That(up.Notional[k], Is.EqualTo(k == 5 ? 1e5 : 0).Within(1e-6), $"up level {k}");
            Assert.That(down.OtherNotional[k] + up.OtherNotional[k], Is.Zero);
        }
        Assert.That(down.Cumulative[20], Is.EqualTo(3e5).Within(1e-6));
        Assert.That(down.Within(5), Is.Zero);
        Assert.That(down.Within(10), Is.EqualTo(1e5).Within(1e-6));
        Assert.That(up.Within(5), Is.EqualTo(1e5).Within(1e-6));
        // The sale of the liquidated longs is the flow; the short's liquidation buys.
        Assert.That(down.Flow[6], Is.EqualTo(-1e5).Within(1e-6));
        Assert.That(up.Flow[5], Is.EqualTo(1e5).Within(1e-6));
    }

    [Test]
    public void ALevelCoversMovesAboveThePreviousLevelUpToItsOwn()
    {
        var ladder = LiquidationLadder.Of(Book(1e12, LongAt(1e5, 0.0299), LongAt(1e5, 0.0301), ShortAt(2e5, 0.0799), ShortAt(3e5, 0.0801)));
        Assert.That(ladder["BTC"].Down.Notional[3], Is.EqualTo(1e5).Within(1e-6));
        Assert.That(ladder["BTC"].Down.Notional[4], Is.EqualTo(1e5).Within(1e-6));
        Assert.That(ladder["BTC"].Up.Notional[8], Is.EqualTo(2e5).Within(1e-6));
        Assert.That(ladder["BTC"].Up.Notional[9], Is.EqualTo(3e5).Within(1e-6));
        // A coarser ladder: steps of 2.5%, 8 levels.
        var coarse = LiquidationLadder.Of(Book(1e12, LongAt(1e5, 0.0299), LongAt(1e5, 0.0301)), levels: 8, stepPercent: 2.5);
        Assert.That(coarse["BTC"].Down.Notional[2], Is.EqualTo(2e5).Within(1e-6));
        Assert.That(coarse["BTC"].Down.Move[2], Is.EqualTo(0.05).Within(1e-15));
    }

    /// <summary>Brackets per account: 1% up to 50k, then 5% (amount 2,000 by continuity). Long 1,000 units at 100 with
    /// 5,000 USD. One account: 5,000 + 1,000 (P - 100) &lt; 50 P - 2,000 for P &lt; 97.89 (2.1%, level 3). Ten accounts of
    /// 10k each stay in the 1% bracket: 5,000 + 1,000 (P - 100) &lt; 10 P for P &lt; 95.96 (4.04%, level 5).</summary>
    [TestCase(1.0, 3)]
    [TestCase(10.0, 5)]
    public void ATieredCohortIsCheckedPerAccount(double accounts, int level)
    {
        var tiers = MaintenanceMargin.ContinuousTiers([(5e4, 0.01), (double.PositiveInfinity, 0.05)]);
        var cohort = new CohortSpec { Accounts = accounts, Positions = [new PositionSpec(0, 1000, P0)], UsdCollateral = 5000 };
        var s = Book(1e12, cohort);
        s = s with { Venue = s.Venue with { MaintenanceMargin = [new TieredMargin(tiers)] } };
        var down = LiquidationLadder.Of(s)["BTC"].Down;
        Assert.That(down.Notional.Select((n, k) => (n, k)).Single(x => x.n > 0).k, Is.EqualTo(level));
    }

    /// <summary>Long 1,000 BTC at 100 and 5,000 ETH at 10 on 15,000 USD, 5% on both. BTC alone: 15,000 + 1,000 (P - 100)
    /// &lt; 50 P + 2,500 for P &lt; 92.105 (7.9%, level 8). ETH alone: 15,000 + 5,000 (P - 10) &lt; 250 P + 5,000 for
    /// P &lt; 8.421 (15.8%, level 16). The other leg is in the second array.</summary>
    [Test]
    public void ACrossMarginCohortCountsItsOtherLegSeparately()
    {
        var cross = new CohortSpec { Positions = [new PositionSpec(0, 1000, P0), new PositionSpec(1, 5000, 10)], UsdCollateral = 15000 };
        var s = Book(1e12, cross);
        s = s with
        {
            Assets = [s.Assets[0], Asset("ETH", 10, 0.5, depth1pct: 1e12)],
            Venue = s.Venue with { MaintenanceMargin = [new StaticMargin(Mm), new StaticMargin(Mm)] },
        };
        var ladder = LiquidationLadder.Of(s);
        Assert.That(ladder["BTC"].Down.Notional[8], Is.EqualTo(1e5).Within(1e-6));
        Assert.That(ladder["BTC"].Down.OtherNotional[8], Is.EqualTo(5e4).Within(1e-6));
        Assert.That(ladder["BTC"].Down.Notional.Sum(), Is.EqualTo(1e5).Within(1e-6), "nowhere else");
        Assert.That(ladder["ETH"].Down.Notional[16], Is.EqualTo(5e4).Within(1e-6));
        Assert.That(ladder["ETH"].Down.OtherNotional[16], Is.EqualTo(1e5).Within(1e-6));
        Assert.That(ladder["ETH"].Up.Cumulative[20] + ladder["BTC"].Up.Cumulative[20], Is.Zero, "a long book: rises liquidate nothing");
    }

    /// <summary>Coin-margined: a long on collateral held in its own asset loses twice as the price falls; the collateral
    /// counts at its weight, and its sale is part of the flow.</summary>
    [Test]
    public void CollateralInTheMovedAssetIsRevaluedAtItsWeight()
    {
        // Long 1,000 units at 100 with 100 units of the asset at weight 0.8: 80 P + 1,000 (P - 100) < 50 P for
        // P < 100,000 / 1,030 = 97.087: a fall of 2.91%, level 3; the flow sells the position and the collateral.
        var coinLong = new CohortSpec { Positions = [new PositionSpec(0, 1000, P0)], Collateral = [new CollateralHolding(0, 100)] };
        var s = Book(1e12, coinLong);
        s = s with { Assets = [s.Assets[0] with { CollateralWeight = 0.8 }] };
        var down = LiquidationLadder.Of(s)["BTC"].Down;
        Assert.That(down.Notional[3], Is.EqualTo(1e5).Within(1e-6));
        Assert.That(down.Flow[3], Is.EqualTo(-1.1e5).Within(1e-6), "the position and the collateral are sold");
    }

    [Test]
    public void ACohortBelowMaintenanceAtTheStartIsLevelZero()
    {
        // Leverage 25 under 5%: 4,000 of equity against 5,000 of requirement.
        var under = Isolated(0, 1000 * P0, 25, P0) with { LiquidateAtStart = true };
        var ladder = LiquidationLadder.Of(Book(1e12, under, LongAt(1e5, 0.035)));
        Assert.That(ladder["BTC"].Down.Notional[0], Is.EqualTo(1e5).Within(1e-6));
        Assert.That(ladder["BTC"].Up.Notional[0], Is.EqualTo(1e5).Within(1e-6), "liquidatable at the start whichever way");
        Assert.That(ladder["BTC"].Down.Notional[4], Is.EqualTo(1e5).Within(1e-6));
        Assert.That(ladder["BTC"].Down.Cumulative[1], Is.EqualTo(1e5).Within(1e-6), "the start counts in every cumulative");
    }

    /// <summary>Every cohort liquidates within the ladder: the levels add up to the book's notional in the asset.</summary>
    [Test]
    public void TheLevelsAddUpToTheBooksNotional()
    {
        var rng = new Random(5);
        var longs = Enumerable.Range(0, 40).Select(_ => LongAt(1e4 + 1e6 * rng.NextDouble(), 0.001 + 0.19 * rng.NextDouble())).ToArray();
        var shorts = Enumerable.Range(0, 40).Select(_ => ShortAt(1e4 + 1e6 * rng.NextDouble(), 0.001 + 0.19 * rng.NextDouble())).ToArray();
        var ladder = LiquidationLadder.Of(Book(1e12, [.. longs, .. shorts]))["BTC"];
        double longNotional = longs.Sum(c => c.Positions[0].Units * P0), shortNotional = shorts.Sum(c => -c.Positions[0].Units * P0);
        Assert.That(ladder.Down.Notional.Sum(), Is.EqualTo(longNotional).Within(1e-9).Percent);
        Assert.That(ladder.Down.Cumulative[^1], Is.EqualTo(longNotional).Within(1e-9).Percent);
        Assert.That(ladder.Up.Notional.Sum(), Is.EqualTo(shortNotional).Within(1e-9).Percent);
        Assert.That(ladder.Down.Flow[^1], Is.EqualTo(-longNotional).Within(1e-9).Percent);
    }

    /// <summary>Longs of 1M at 2.5%, 3M at 5.5% and 1M at 9.5%: the cumulative sale is 1M from level 3, 4M from level 6,
    /// 5M from level 10, and moves the log price by 0.01 C / D. Supercritical at level k when that reaches -ln(1 - k%):
    /// D = 200k: level 3 (0.05 against 0.0305); D = 500k: level 6 (0.02 &lt; 0.0305 at 3, 0.08 against 0.0619 at 6);
    /// D = 1M: never (0.04 &lt; 0.0619 at 6, 0.05 &lt; 0.105 at 10, and the move only grows after).</summary>
    [TestCase(2e5, 3)]
    [TestCase(5e5, 6)]
    [TestCase(1e6, null)]
    public void TheFirstSupercriticalLevelMovesWithTheDepthAsTheClosedFormSays(double depth, int? expected)
    {
        var cohorts = new[] { LongAt(1e6, 0.025), LongAt(3e6, 0.055), LongAt(1e6, 0.095) };
        var down = LiquidationLadder.Of(Book(depth, cohorts))["BTC"].Down;
        int? closedForm = null;
        for (int k = 1; k <= 20 && closedForm is null; k++)
        {
            double sold = k >= 10 ? 5e6 : k >= 6 ? 4e6 : k >= 3 ? 1e6 : 0;
            if (0.01 * sold / depth >= -Math.Log(1 - k / 100.0)) closedForm = k;
        }
        Assert.That(closedForm, Is.EqualTo(expected), "the closed form");
        Assert.That(down.FirstSupercritical, Is.EqualTo(expected));
        Assert.That(down.InducedMove[6], Is.EqualTo(0.01 * 4e6 / depth).Within(1e-12));
        Assert.That(down.Ratio[6], Is.EqualTo(0.01 * 4e6 / depth / -Math.Log(0.94)).Within(1e-12));
        Assert.That(LiquidationLadder.Of(Book(depth, cohorts))["BTC"].DepthPerPercent, Is.EqualTo(depth));
    }

    /// <summary>Square-root impact: the induced move is I(C) on the cumulative sale, and the depth per 1% the flow with I = 1%.</summary>
    [Test]
    public void SquareRootImpactActsOnTheCumulativeFlow()
    {
        var s = Book(1e12, LongAt(1e6, 0.025), LongAt(3e6, 0.055));
        s = s with { Assets = [s.Assets[0] with { Impact = new SquareRootImpact(1e8, 1) }] };
        var a = LiquidationLadder.Of(s)["BTC"];
        double i(double x) => 1 * (0.5 / Math.Sqrt(365)) * Math.Sqrt(x / 1e8);
        Assert.That(a.Down.InducedMove[6], Is.EqualTo(i(4e6)).Within(1e-12));
        Assert.That(a.Down.InducedMove[3], Is.EqualTo(i(1e6)).Within(1e-12));
        Assert.That(i(a.DepthPerPercent), Is.EqualTo(0.01).Within(1e-12));
    }

    [Test]
    public void LevelsAndStepsOutOfRangeAreRefused()
    {
        var s = Book(1e12, LongAt(1e5, 0.05));
        Assert.Throws<ArgumentOutOfRangeException>(() => LiquidationLadder.Of(s, levels: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LiquidationLadder.Of(s, stepPercent: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LiquidationLadder.Of(s, stepPercent: double.NaN));
    }

    /// <summary>The default scenario made deterministic (no volatility, jumps or GARCH, no impact to speak of, one step)
    /// with its generated book (tiered BTC, static ETH, dynamic SOL; cross-margin and coin-margined cohorts), and one stress
    /// shock moving a single asset by exactly <paramref name="percent"/>% at step 0: the cohorts the engine liquidates are
    /// those the ladder puts at levels up to <paramref name="percent"/>.</summary>
    [TestCase(0, -7)]
    [TestCase(0, 5)]
    [TestCase(1, -4)]
    [TestCase(1, 9)]
    [TestCase(2, -12)]
    [TestCase(2, 3)]
    public void TheEngineLiquidatesTheCohortsOfTheLevelsUpToTheMove(int asset, int percent)
    {
        var d = ScenarioLoader.LoadDefault();
        var s = d with
        {
            Steps = 1, Horizon = Duration.Parse("5m"), Paths = 1, Garch = null, Jumps = null, Innovations = InnovationSpec.Normal,
            Assets = [.. d.Assets.Select(a => a with { Volatility = 0, LongRunVolatility = 0, Impact = new LinearImpact(1e30) })],
            Book = new BookSpec { Generator = d.Book.Generator! with { CrossMarginShare = 0.3, CoinMarginedShare = 0.3 } },
            Stress = [new StressShock(0, asset, Math.Log(1 + percent / 100.0))],
        };
        var r = SimulationEngine.Run(s, new RunOptions { Paths = 1, Backend = new ManagedBackend(1) });
        var cohorts = BookGenerator.Generate(s);
        Assert.That(r.CohortAttribution, Has.Count.EqualTo(cohorts.Length));
        var book = new LadderBook(s, cohorts);
        var engine = new List<int>();
        var ladder = new List<int>();
        for (int c = 0; c < cohorts.Length; c++)
        {
            if (r.CohortAttribution[c].PLiquidated.Estimate > 0) engine.Add(c);
            if (book.Level(c, asset, percent < 0, 20, 1) is int level && level <= Math.Abs(percent)) ladder.Add(c);
        }
        Assert.That(engine, Is.Not.Empty, "the shock liquidates someone");
        Assert.That(engine, Is.EqualTo(ladder));
        // And the ladder's notional within the move is what the engine closed in the asset (no impact: at the shocked price).
        var side = percent < 0 ? LiquidationLadder.Of(s)[s.Assets[asset].Symbol].Down : LiquidationLadder.Of(s)[s.Assets[asset].Symbol].Up;
        double shocked = 1 + percent / 100.0;
        Assert.That(r.Assets[asset].Value.LiquidatedNotional.Mean, Is.EqualTo(side.Within(Math.Abs(percent)) * shocked).Within(1e-6).Percent);
    }
}
