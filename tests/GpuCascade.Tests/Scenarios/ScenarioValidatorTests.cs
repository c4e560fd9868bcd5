using System.Collections.Immutable;
using GpuCascade.Scenarios;
using static GpuCascade.Tests.Scenarios.ScenarioTexts;

namespace GpuCascade.Tests.Scenarios;

/// <summary>Scenarios built or changed in code go through the same checks as files.</summary>
public class ScenarioValidatorTests
{
    private static readonly Scenario Valid = ScenarioLoader.LoadYaml(Full);

    [Test]
    public void A_loaded_scenario_is_valid() => Assert.That(ScenarioValidator.Validate(Valid), Is.Empty);

    private static IEnumerable<TestCaseData> Changes()
    {
        TestCaseData Case(Func<Scenario, Scenario> change, string expected) =>
            new TestCaseData(change, expected).SetArgDisplayNames(expected);
        var btc = Valid.Assets[0];
        var cohort = Valid.Book.Cohorts[0];

        yield return Case(s => s with { Steps = 0 }, "steps: must be an integer in 1 .. 10000000, got 0");
        yield return Case(s => s with { Paths = (1L << 53) + 1 }, "paths: must be an integer in 1 .. 9007199254740992, got 9007199254740993");
        yield return Case(s => s with { Horizon = default }, "horizon: must be a positive duration");
        yield return Case(s => s with { Precision = (Precision)7 }, "precision: must be double or single, got 7");
        yield return Case(s => s with { Assets = default }, "assets: at least one asset required");
        yield return Case(s => s with { Assets = s.Assets.SetItem(0, btc with { Price = double.NaN }) }, "assets[0].price: must be a finite number, got NaN");
        yield return Case(s => s with { Assets = s.Assets.SetItem(0, btc with { Impact = new LinearImpact(0) }) }, "assets[0].depth1pct: must be > 0, got 0");
        yield return Case(s => s with { Assets = s.Assets.SetItem(0, btc with { ImpactHalfLife = new Duration("0m", 0) }) },
            "assets[0].impactHalfLife: must be a positive duration, got '0m'");
        yield return Case(s => s with { Correlation = [1, 0.5, 0.5] }, "correlation: must be 2 x 2 (one row and column per asset), got 3 entries");
        yield return Case(s => s with { Stress = [new StressShock(0, 5, -0.1)] }, "stress[0].asset: asset index 5 out of range (2 assets)");
        yield return Case(s => s with { Venue = s.Venue with { MaintenanceMargin = [new StaticMargin(0.01)] } },
            "venue.maintenanceMargin: must have one rule per asset (2), got 1");
        yield return Case(s => s with { Venue = s.Venue with { MaintenanceMargin = [new StaticMargin(0.01), new StaticMargin(0)] } },
            "venue.maintenanceMargin.ETH: must be in (0, 1), got 0");
        yield return Case(s => s with { Venue = s.Venue with { MaintenanceMargin = [new TieredMargin([new MarginTier(5e4, 0.004, 0), new MarginTier(double.PositiveInfinity, 0.01, 600)]), new StaticMargin(0.01)] } },
            "venue.maintenanceMargin.BTC.tiers[1].amount: must be <= 500 (the bracket's lowest notional x rate) so the requirement stays >= 0, got 600");
        yield return Case(s => s with { Venue = s.Venue with { Liquidation = new LiquidationPolicy(1.5, 0) } },
            "venue.liquidation.tranche: must be in (0, 1], got 1.5");
        yield return Case(s => s with { Book = new BookSpec() }, "book: needs at least one cohort or a generator");
        yield return Case(s => s with { Book = s.Book with { Cohorts = [cohort with { Positions = [] }] } },
            "book.cohorts[0].positions: at least one position required");
        yield return Case(s => s with { Book = s.Book with { Cohorts = [cohort with { Positions = [new PositionSpec(9, 1, 1)] }] } },
            "book.cohorts[0].positions[0].asset: asset index 9 out of range (2 assets)");
        yield return Case(s => s with { Book = s.Book with { Cohorts = [cohort with { Positions = [new PositionSpec(0, 0, 1)] }] } },
            "book.cohorts[0].positions[0].units: must not be zero");
        yield return Case(s => s with { Book = s.Book with { Cohorts = [cohort, cohort with { UsdCollateral = 0 }] } },
            "book.cohorts[1]: initial margin does not exceed maintenance (equity 0.0e0 <= requirement 1.995e7; the cohort starts with no equity; cohort 'whales')");
        yield return Case(s => s with { Book = s.Book with { Cohorts = [cohort with { Accounts = double.PositiveInfinity }] } },
            "book.cohorts[0].accounts: must be a finite number, got Infinity");
        yield return Case(s => s with { Book = s.Book with { Generator = s.Book.Generator! with { Assets = [] } } },
            "book.generator.assets: at least one asset required");
    }

    [TestCaseSource(nameof(Changes))]
    public void Changed_scenario_names_the_field(Func<Scenario, Scenario> change, string expected)
    {
        var changed = change(Valid);
        Assert.That(ScenarioValidator.Validate(changed).Select(e => e.ToString()), Has.Some.StartsWith(expected));
        Assert.That(Rejects(() => ScenarioValidator.EnsureValid(changed)).Message, Does.Contain(expected));
    }

    [Test]
    public void Initial_margin_uses_the_dynamic_rule_at_the_starting_volatility()
    {
        // m = max(0.01, 3 * 0.9 * sqrt(1h)) = 2.885%: leverage 30 (3.3% margin) passes, 40 (2.5%) fails.
        string Dynamic(int leverage) => Edit(IssueExample, "maintenanceMargin: 0.005",
            "maintenanceMargin: {dynamic: {floor: 0.01, z: 3, closeOutHorizon: 1h}}")
            .Replace("{asset: BTC, side: long, notional: 1.0e9, leverage: 10}",
                $"{{asset: ETH, side: long, notional: 1.0e9, leverage: {leverage}}}");
        Assert.DoesNotThrow(() => ScenarioLoader.LoadYaml(Dynamic(30)));
        Assert.That(Rejects(() => ScenarioLoader.LoadYaml(Dynamic(40))).Message,
            Does.Contain("leverage 40 needs maintenance below 2.5%, the venue's is 2.88%"));
    }

    [Test]
    public void Initial_margin_counts_weighted_collateral_and_entry_profit()
    {
        // 4% rule on 1e9 at 20x: 5e7 USD passes; 5e7 held in BTC at weight 0.5 (2.5e7 of equity) fails.
        string text = Edit(IssueExample, "{symbol: BTC, price: 100000, volatility: 0.8, drift: 0, depth1pct: 5.0e7}",
                "{symbol: BTC, price: 100000, volatility: 0.8, drift: 0, depth1pct: 5.0e7, haircut: 0.5}")
            .Replace("maintenanceMargin: 0.005", "maintenanceMargin: 0.04");
        string Cohort(string terms) => text.Replace("{asset: BTC, side: long, notional: 1.0e9, leverage: 10}", terms);

        Assert.DoesNotThrow(() => ScenarioLoader.LoadYaml(Cohort("{asset: BTC, side: long, notional: 1.0e9, leverage: 20}")));
        Assert.That(Rejects(() => ScenarioLoader.LoadYaml(Cohort("{asset: BTC, side: long, notional: 1.0e9, leverage: 20, collateralAsset: BTC}"))).Message,
            Does.Contain("book.cohorts[0]: initial margin does not exceed maintenance (equity 2.5e7 <= requirement 4.0e7"));
        // Entry below the price: the open profit (1e9 / 80000 * 20000 = 2.5e8) covers the larger requirement (5e7).
        Assert.DoesNotThrow(() => ScenarioLoader.LoadYaml(Cohort(
            "{asset: BTC, side: long, notional: 1.0e9, leverage: 20, collateralAsset: BTC, entryPrice: 80000}")));
    }
}
