using GpuCascade.Scenarios;
using GpuCascade.Tests.Scenarios;

namespace GpuCascade.Tests.Calibration;

public class ScenarioDocumentTests
{
    private static ScenarioDocument Default => ScenarioDocument.Default;

    private static string Errors(TestDelegate action) =>
        string.Join("\n", Assert.Throws<ScenarioException>(action)!.Errors.Select(e => e.ToString()));

    [Test]
    public void UnchangedDocumentGivesTheLoadedScenario() =>
        Assert.That(Default.ToScenario(), Is.EqualTo(ScenarioLoader.LoadDefault()));

    [Test]
    public void SetsANestedRateAndLeavesTheRestAlone()
    {
        var before = Default.ToScenario();
        var after = Default.With("venue.maintenanceMargin.ETH", 0.02).ToScenario();
        Assert.That(after.Venue.MaintenanceMargin[1], Is.EqualTo(new StaticMargin(0.02)));
        Assert.That(after.Venue.MaintenanceMargin[0], Is.EqualTo(before.Venue.MaintenanceMargin[0]));
        Assert.That(after with { Venue = before.Venue }, Is.EqualTo(before));
    }

    [Test]
    public void ANumberReplacesAPerAssetMap()
    {
        var s = Default.With("venue.maintenanceMargin", 0.03).ToScenario();
        Assert.That(s.Venue.MaintenanceMargin, Is.All.EqualTo(new StaticMargin(0.03)));
    }

    [Test]
    public void SelectsListItemsBySymbolAndByIndex()
    {
        Assert.That(Default.With("assets[ETH].depth1pct", 1e7).ToScenario().Assets[1].Impact, Is.EqualTo(new LinearImpact(1e7)));
        Assert.That(Default.With("assets[2].volatility", 1.5).ToScenario().Assets[2].Volatility, Is.EqualTo(1.5));
    }

    [Test]
    public void TrancheTurnsFullLiquidationIntoPartial()
    {
        var s = Default.With("venue.liquidation.tranche", 0.25).ToScenario();
        Assert.That(s.Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Partial(0.25)));
    }

    [Test]
    public void AnAbsentKeyIsCreated()
    {
        // The single-long scenario has neither an asset jumpBeta nor an insurance fund.
        var doc = ScenarioDocument.FromYaml(CalibrationScenarios.SingleLong());
        Assert.That(doc.With("assets[BTC].jumpBeta", 2).ToScenario().Assets[0].JumpBeta, Is.EqualTo(2));
        Assert.That(doc.With("venue.insuranceFund", 3e6).ToScenario().Venue.InsuranceFund, Is.EqualTo(3e6));
    }

    [Test]
    public void IntegerKeysAreRecognised()
    {
        Assert.That(Default.IsIntegerKey("venue.oracleDelaySteps", 2), Is.True);
        Assert.That(Default.IsIntegerKey("book.generator.cohortsPerAsset", 50), Is.True);
        Assert.That(Default.IsIntegerKey("venue.insuranceFund", 1e8), Is.False);
    }

    [Test]
    public void AnUnknownKeyIsNamedWithASuggestion() =>
        Assert.That(Errors(() => Default.With("venue.maintenanceMargn", 0.01)),
            Does.Contain("venue.maintenanceMargn").And.Contain("did you mean 'maintenanceMargin'"));

    [Test]
    public void AKeyThatIsNotANumberIsRefused()
    {
        Assert.That(Errors(() => Default.With("assets[BTC].symbol", 3)), Does.Contain("assets[BTC].symbol").And.Contain("not a number"));
        Assert.That(Errors(() => Default.With("horizon", 2)), Does.Contain("horizon"));
        Assert.That(Errors(() => Default.With("venue.oracleDelaySteps", 1.5)), Does.Contain("venue.oracleDelaySteps").And.Contain("integer"));
    }

    [Test]
    public void ABadSelectorIsNamed()
    {
        Assert.That(Errors(() => Default.With("assets[BTX].depth1pct", 1e8)), Does.Contain("no item 'BTX'").And.Contain("did you mean 'BTC'"));
        Assert.That(Errors(() => Default.With("assets[7].depth1pct", 1e8)), Does.Contain("has 3 items"));
        Assert.That(Errors(() => Default.With("venue[0].insuranceFund", 1)), Does.Contain("not a list"));
        Assert.That(Errors(() => Default.With("assets.depth1pct", 1)), Does.Contain("is a list"));
        Assert.That(Errors(() => Default.With("venue..x", 1)), Does.Contain("key path"));
    }

    [Test]
    public void OneAssetsRuleSetUnderASharedRateKeepsTheOthers()
    {
        var doc = ScenarioDocument.FromYaml(ScenarioTexts.IssueExample);
        var s = doc.With("venue.maintenanceMargin.ETH", 0.02).ToScenario();
        Assert.That(s.Venue.MaintenanceMargin, Is.EqualTo(new MarginRule[] { new StaticMargin(0.005), new StaticMargin(0.02) }));
    }

    [Test]
    public void NonFiniteValuesAreRefused() =>
        Assert.That(Errors(() => Default.With("venue.insuranceFund", double.NaN)), Does.Contain("finite"));
}
