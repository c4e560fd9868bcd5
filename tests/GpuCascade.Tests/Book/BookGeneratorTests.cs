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
