using GpuCascade.Scenarios;
using static GpuCascade.Tests.Scenarios.ScenarioTexts;

namespace GpuCascade.Tests.Scenarios;

public class ScenarioBuilderTests
{
    [Test]
    public void Builder_gives_the_issue_example()
    {
        var built = new ScenarioBuilder()
            .Horizon("30d").Steps(2000).Paths(200_000).Seed(11)
            .Asset("BTC", price: 100_000, volatility: 0.8, depth1pct: 5e7)
            .Asset("ETH", price: 3_000, volatility: 0.9, depth1pct: 2e7, a => a.Drift(0))
            .Correlation("BTC", "ETH", 0.8)
            .Stress(step: 0, "BTC", -0.05)
            .Venue(v => v.MaintenanceMargin(0.005).LiquidationPenalty(0.01).OracleDelaySteps(0).InsuranceFund(1e7).Full())
            .Isolated("BTC", PositionSide.Long, notional: 1e9, leverage: 10)
            .Build();
        Assert.That(built, Is.EqualTo(ScenarioLoader.LoadYaml(IssueExample)));
    }

    [Test]
    public void Builder_gives_the_full_format()
    {
        var built = new ScenarioBuilder()
            .Horizon("1d").Steps(288).Paths(1000).Seed(11)
            .Precision(Precision.Double).CascadeThreshold(0.05)
            .StudentT(5).Garch(0.05, 0.9).Jumps(4, -0.07, 0.03)
            .Asset("BTC", price: 100_000, volatility: 0.8, depth1pct: 5e7, a => a
                .LongRunVolatility(0.7).Drift(0).PermanentImpact(0.5).ImpactHalfLife("30m").JumpBeta(1).CollateralWeight(0.95))
            .Asset("ETH", price: 3_000, volatility: 0.9, a => a.SquareRootImpact(2e10, 1).Haircut(0.1))
            .Correlation(new double[,] { { 1, 0.8 }, { 0.8, 1 } })
            .Stress(step: 0, "BTC", -0.05)
            .Venue(v => v
                .TieredMargin("BTC", (5e4, 0.004), (2.5e5, 0.005), (double.PositiveInfinity, 0.025))
                .DynamicMargin("ETH", floor: 0.01, z: 3, closeOutHorizon: "1h")
                .LiquidationPenalty(0.01).OracleDelaySteps(0).InsuranceFund(1e7).Partial(0.25, dustNotional: 10).RoundCap(64))
            .Isolated("BTC", PositionSide.Long, notional: 1e9, leverage: 10, accounts: 1000, name: "whales")
            .CrossMargin(c => c.Name("basis-desk").Accounts(20)
                .Position("BTC", PositionSide.Long, 5e8)
                .Position("ETH", PositionSide.Short, 4e8, entryPrice: 3100)
                .Collateral("USD", 5e7).Collateral("BTC", 100))
            .Isolated("ETH", PositionSide.Short, notional: 2e8, leverage: 5, collateralAsset: "BTC")
            .Generator(g => g.Seed(7).CohortsPerAsset(100).CrossMarginShare(0.2).CoinMarginedShare(0.1).AccountsPerCohort(1000)
                .Asset("BTC", openInterest: 6.0e9, longShare: 0.55, leverageMedian: 12, leverageDispersion: 0.6, leverageMax: 50,
                    entryDispersion: 0.04))
            .Build();
        Assert.That(built, Is.EqualTo(ScenarioLoader.LoadYaml(Full)));
    }

    [Test]
    public void Per_asset_margin_overrides_the_rule_for_all()
    {
        var s = Minimal().Asset("ETH", 3000, 0.9, 2e7)
            .Venue(v => v.MaintenanceMargin(0.005).MaintenanceMargin("ETH", 0.01))
            .Build();
        Assert.That(s.Venue.MaintenanceMargin, Is.EqualTo(new MarginRule[] { new StaticMargin(0.005), new StaticMargin(0.01) }));
    }

    [Test]
    public void Builder_reports_missing_and_unknown_names_with_file_paths()
    {
        var e = Rejects(() => new ScenarioBuilder()
            .Horizon("1 week")
            .Asset("BTC", 100_000, 0.8, 5e7)
            .Stress(0, "DOGE", -0.1)
            .Venue(v => v.MaintenanceMargin("BTC", 0.005).MaintenanceMargin("ETC", 0.01))
            .Isolated("DOGE", PositionSide.Long, 1e6, 5)
            .CrossMargin(c => c.Position("BTC", PositionSide.Long, 1e6).Collateral("XRP", 1))
            .Generator(g => g.Asset("SOL", 1e9))
            .Build());
        Assert.That(e.Errors.Select(x => x.Path), Is.EquivalentTo(new[]
        {
            "horizon", "steps", "paths", "seed", "stress[0].asset", "venue.maintenanceMargin.ETC",
            "book.cohorts[0].asset", "book.cohorts[1].collateral.XRP", "book.generator.assets.SOL",
        }));
        Assert.That(e.Message, Does.Contain("horizon: expected a duration such as 30s, 5m, 6h or 1d, got '1 week'"));
        Assert.That(e.Message, Does.Contain("venue.maintenanceMargin.ETC: unknown asset ETC (did you mean 'BTC'?)"));
    }

    [Test]
    public void Builder_validates_values_like_a_file()
    {
        var e = Rejects(() => Minimal()
            .Venue(v => v.MaintenanceMargin(0.005))
            .Isolated("BTC", PositionSide.Long, 1e9, leverage: 300)
            .Build());
        Assert.That(e.Message, Does.Contain("book.cohorts[1]: initial margin does not exceed maintenance"));

        var both = Rejects(() => Minimal()
            .Venue(v => v.MaintenanceMargin(0.005))
            .CrossMargin(c => c.Position("BTC", PositionSide.Long, 1e6).Collateral("USD", 1e5).Leverage(5))
            .Build());
        Assert.That(both.Message, Does.Contain("book.cohorts[1].leverage: give either collateral or leverage, not both"));

        var haircut = Rejects(() => Minimal().Asset("ETH", 3000, 0.9, 2e7, a => a.Haircut(1.5))
            .Venue(v => v.MaintenanceMargin(0.005)).Build());
        Assert.That(haircut.Message, Does.Contain("assets[1].haircut: must be in [0, 1), got 1.5"));

        var noMargin = Rejects(() => Minimal().Build());
        Assert.That(noMargin.Message, Does.Contain("venue.maintenanceMargin: required"));
    }

    private static ScenarioBuilder Minimal() => new ScenarioBuilder()
        .Horizon("1d").Steps(24).Paths(100).Seed(1)
        .Asset("BTC", 100_000, 0.8, 5e7)
        .Isolated("BTC", PositionSide.Long, 1e6, 5);
}
