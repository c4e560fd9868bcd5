using System.Collections.Immutable;
using GpuCascade.Book;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Book;

public class BookGeneratorTests
{
    private static Scenario Venue(ulong bookSeed = 7, double cross = 0.2, double coin = 0.1) =>
        ScenarioLoader.LoadDefault() with
        {
            Book = new BookSpec
            {
                Generator = ScenarioLoader.LoadDefault().Book.Generator! with
                {
                    Seed = bookSeed, CrossMarginShare = cross, CoinMarginedShare = coin, CohortsPerAsset = 400,
                },
            },
        };

    [Test]
    public void PrimaryPositionsAddUpToTheOpenInterestAndLongShare()
    {
        var scenario = Venue();
        var cohorts = BookGenerator.Generate(scenario);
        foreach (var profile in scenario.Book.Generator!.Assets)
        {
            var mine = cohorts.Where(c => c.Name!.StartsWith($"gen:{scenario.Assets[profile.AssetIndex].Symbol}:")).ToList();
            Assert.That(mine, Has.Count.EqualTo(400));
            var primary = mine.Select(c => c.Positions[0]).ToList();
            double longs = primary.Where(p => p.Units > 0).Sum(p => p.Units * p.EntryPrice);
            double shorts = primary.Where(p => p.Units < 0).Sum(p => -p.Units * p.EntryPrice);
            Assert.That(longs + shorts, Is.EqualTo(2 * profile.OpenInterest).Within(1e-9).Percent, "openInterest is one side, as reported");
            Assert.That(longs, Is.EqualTo(2 * profile.OpenInterest * profile.LongShare).Within(1e-9).Percent);
            Assert.That(longs / (longs + shorts), Is.EqualTo(profile.LongShare).Within(1e-9));
        }
    }

    /// <summary>A hedged share h leaves (1 - h) of each side in the book, cohort by cohort: the same leverage, entries and
    /// families, every position and collateral scaled by 1 - h (docs/model.md, "Book generator").</summary>
    [Test]
    public void AHedgedShareLeavesTheRestOfEachSideInTheBook()
    {
        var scenario = Venue();
        var generator = scenario.Book.Generator!;
        var hedged = scenario with
        {
            Book = new BookSpec { Generator = generator with { Assets = [.. generator.Assets.Select(a => a with { HedgedShare = 0.4 })] } },
        };
        var plain = BookGenerator.Generate(scenario);
        var less = BookGenerator.Generate(hedged);
        Assert.That(less, Has.Length.EqualTo(plain.Length));
        for (int c = 0; c < plain.Length; c++)
        {
            Assert.That(less[c].Name, Is.EqualTo(plain[c].Name));
            for (int p = 0; p < plain[c].Positions.Length; p++)
            {
                Assert.That(less[c].Positions[p].Units, Is.EqualTo(0.6 * plain[c].Positions[p].Units).Within(1e-12).Percent, plain[c].Name);
                Assert.That(less[c].Positions[p].EntryPrice, Is.EqualTo(plain[c].Positions[p].EntryPrice), plain[c].Name);
            }
            Assert.That(less[c].UsdCollateral, Is.EqualTo(0.6 * plain[c].UsdCollateral).Within(1e-12).Percent, plain[c].Name);
        }
        // Fewer positions to liquidate: a shock that cascades the whole book cascades the hedged one less.
        var shocked = (Scenario s) => s with { Steps = 24, Horizon = Duration.Parse("2h"), Paths = 2000, Stress = [new StressShock(2, 0, -0.08)] };
        var full = GpuCascade.Simulation.SimulationEngine.Run(shocked(scenario), new GpuCascade.Simulation.RunOptions { Backend = new GpuCascade.Backends.Managed.ManagedBackend(2) });
        var part = GpuCascade.Simulation.SimulationEngine.Run(shocked(hedged), new GpuCascade.Simulation.RunOptions { Backend = new GpuCascade.Backends.Managed.ManagedBackend(2) });
        Assert.That(part.LiquidatedNotional.Mean, Is.LessThan(0.6 * full.LiquidatedNotional.Mean), "less notional, and less impact to liquidate more");
    }

    [Test]
    public void TheHedgedShareIsAKeyInZeroToOne()
    {
        string yaml = ScenarioLoader.DefaultScenarioText.Replace("entryDispersion: 0.04}", "entryDispersion: 0.04, hedgedShare: 0.3}", StringComparison.Ordinal);
        var s = ScenarioLoader.LoadYaml(yaml);
        Assert.That(s.Book.Generator!.Assets[0].HedgedShare, Is.EqualTo(0.3));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Canonical(s)), Is.EqualTo(s));
        Assert.That(ScenarioJson.Canonical(ScenarioLoader.LoadDefault()), Does.Not.Contain("hedgedShare"), "0 is not written");
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadYaml(yaml.Replace("hedgedShare: 0.3", "hedgedShare: 1", StringComparison.Ordinal)))!;
        Assert.That(e.Message, Does.Contain("book.generator.assets.BTC.hedgedShare: must be in [0, 1)"));
        var built = new ScenarioBuilder().Horizon("1h").Steps(2).Paths(10).Seed(1).Asset("BTC", price: 100, volatility: 0.5, depth1pct: 1e6)
            .Venue(v => v.MaintenanceMargin(0.01)).Generator(g => g.Asset("BTC", 1e6, hedgedShare: 0.25)).Build();
        Assert.That(built.Book.Generator!.Assets[0].HedgedShare, Is.EqualTo(0.25));
    }

    [Test]
    public void FamiliesFollowTheirSharesAndNoCohortStartsLiquidatable()
    {
        var scenario = Venue();
        var cohorts = BookGenerator.Generate(scenario);
        int n = cohorts.Length;
        int cross = cohorts.Count(c => c.Positions.Length == 2);
        int coin = cohorts.Count(c => c.Collateral.Length == 1 && c.UsdCollateral == 0);
        // Binomial counts: within 4 standard deviations.
        Assert.That(cross, Is.EqualTo(0.2 * n).Within(4 * Math.Sqrt(n * 0.2 * 0.8)));
        Assert.That(coin, Is.EqualTo(0.1 * n).Within(4 * Math.Sqrt(n * 0.1 * 0.9)));
        foreach (var c in cohorts)
        {
            var (equity, requirement, _) = MaintenanceMargin.AtStart(scenario, c);
            Assert.That(equity, Is.GreaterThan(1.1 * requirement * (1 - 1e-12)), c.Name);
            double grossAtEntry = c.Positions.Sum(p => Math.Abs(p.Units) * p.EntryPrice);
            Assert.That(grossAtEntry / (c.UsdCollateral + c.Collateral.Sum(h => h.Units * scenario.Assets[h.AssetIndex].Price)),
                Is.LessThanOrEqualTo(50 * (1 + 1e-9)).And.GreaterThanOrEqualTo(1 - 1e-9), $"{c.Name}: leverage within [1, max]");
        }
    }

    [Test]
    public void LowCollateralWeightsAndCrossAccountsStillStartHealthy()
    {
        var d = Venue(cross: 0.5, coin: 0.5);
        var scenario = d with { Assets = d.Assets.Select(a => a with { CollateralWeight = 0.5 }).ToImmutableArray() };
        foreach (var c in BookGenerator.Generate(scenario))
        {
            var (equity, requirement, _) = MaintenanceMargin.AtStart(scenario, c);
            Assert.That(equity, Is.GreaterThan(1.1 * requirement * (1 - 1e-12)), c.Name);
        }
    }

    [Test]
    public void EverySideWithAShareGetsACohortAndOneCohortTakesTheWholeOpenInterest()
    {
        var d = Venue();
        var generator = d.Book.Generator! with
        {
            CohortsPerAsset = 3,
            Assets = [d.Book.Generator!.Assets[0] with { LongShare = 0.9 }],
        };
        var cohorts = BookGenerator.Generate(d with { Book = new BookSpec { Generator = generator } });
        Assert.That(cohorts.Count(c => c.Positions[0].Units < 0), Is.EqualTo(1));
        double oi = cohorts.Sum(c => Math.Abs(c.Positions[0].Units) * c.Positions[0].EntryPrice);
        Assert.That(oi, Is.EqualTo(2 * generator.Assets[0].OpenInterest).Within(1e-9).Percent);

        var single = generator with { CohortsPerAsset = 1 };
        var one = BookGenerator.Generate(d with { Book = new BookSpec { Generator = single } });
        Assert.That(one, Has.Length.EqualTo(1));
        Assert.That(one[0].Positions[0].Units, Is.GreaterThan(0));
        Assert.That(Math.Abs(one[0].Positions[0].Units) * one[0].Positions[0].EntryPrice,
            Is.EqualTo(2 * generator.Assets[0].OpenInterest).Within(1e-9).Percent);
    }

    [Test]
    public void TheBookDependsOnItsOwnSeedOnly()
    {
        var a = BookGenerator.Generate(Venue());
        var b = BookGenerator.Generate(Venue() with { Seed = 999 });     // the path seed
        var c = BookGenerator.Generate(Venue(bookSeed: 8));
        Assert.That(b.SequenceEqual(a), Is.True, "the path seed must not change the book");
        Assert.That(c.SequenceEqual(a), Is.False, "another book seed gives another book");
    }
}
