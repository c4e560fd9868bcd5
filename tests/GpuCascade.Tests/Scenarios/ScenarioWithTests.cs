using GpuCascade.Calibration;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Scenarios;

/// <summary><see cref="Scenario.With(string, double)"/>: a loaded scenario changed by key path, as <c>--vary</c> changes it.</summary>
public class ScenarioWithTests
{
    /// <summary>Every kind of key of the format (<see cref="ScenarioTexts.Full"/>), with a generator.</summary>
    private static Scenario Full => ScenarioLoader.LoadYaml(ScenarioTexts.Full);

    /// <summary>The same without the generator, so that a comparison's variant is the scenario itself (no book held fixed).</summary>
    private static string Listed => ScenarioTexts.Full[..ScenarioTexts.Full.IndexOf("  generator:", StringComparison.Ordinal)];

    private static double Rate(Scenario s, int asset) => ((StaticMargin)s.Venue.MaintenanceMargin[asset]).Rate;
    private static TieredMargin Tiers(Scenario s) => (TieredMargin)s.Venue.MaintenanceMargin[0];
    private static CohortSpec Cohort(Scenario s, string name) => s.Book.Cohorts.Single(c => c.Name == name);
    private static double Notional(CohortSpec c) => c.Positions.Sum(p => Math.Abs(p.Units * p.EntryPrice));

    /// <summary>Key, value, and how to read the value back from the scenario.</summary>
    private static readonly (string Key, double Value, Func<Scenario, double> Read)[] Keys =
    [
        ("venue.maintenanceMargin", 0.02, s => s.Venue.MaintenanceMargin.Select(m => ((StaticMargin)m).Rate).Distinct().Single()),
        ("venue.maintenanceMargin.ETH", 0.02, s => Rate(s, 1)),
        ("venue.maintenanceMargin.ETH.dynamic.z", 2.5, s => ((DynamicMargin)s.Venue.MaintenanceMargin[1]).Z),
        ("venue.maintenanceMargin.ETH.dynamic.floor", 0.02, s => ((DynamicMargin)s.Venue.MaintenanceMargin[1]).Floor),
        ("venue.maintenanceMargin.BTC.tiers[0].rate", 0.003, s => Tiers(s).Tiers[0].Rate),
        ("venue.maintenanceMargin.BTC.tiers[1].cap", 3e5, s => Tiers(s).Tiers[1].Cap),
        ("venue.liquidationPenalty", 0.02, s => s.Venue.LiquidationPenalty),
        ("venue.oracleDelaySteps", 2, s => s.Venue.OracleDelaySteps),
        ("venue.insuranceFund", 3e7, s => s.Venue.InsuranceFund),
        ("venue.liquidation.tranche", 0.5, s => s.Venue.Liquidation.Tranche),
        ("venue.liquidation.dustNotional", 50, s => s.Venue.Liquidation.DustNotional),
        ("venue.roundCap", 16, s => s.Venue.RoundCap),
        ("venue.liquidationCapacity", 1e9, s => s.Venue.LiquidationCapacity),
        ("assets[BTC].depth1pct", 2e8, s => ((LinearImpact)s.Assets[0].Impact).Depth1Pct),
        ("assets[BTC].volatility", 0.6, s => s.Assets[0].Volatility),
        ("assets[BTC].longRunVolatility", 0.5, s => s.Assets[0].LongRunVolatility),
        ("assets[BTC].drift", 0.1, s => s.Assets[0].Drift),
        ("assets[BTC].permanentImpact", 0.3, s => s.Assets[0].PermanentImpact),
        ("assets[BTC].jumpBeta", 1.5, s => s.Assets[0].JumpBeta),
        ("assets[BTC].collateralWeight", 0.8, s => s.Assets[0].CollateralWeight),
        ("assets[BTC].price", 90_000, s => s.Assets[0].Price),
        ("assets[ETH].volatility", 1.2, s => s.Assets[1].Volatility),
        ("assets[1].impact.dailyVolume", 3e10, s => ((SquareRootImpact)s.Assets[1].Impact).DailyVolume),
        ("assets[ETH].impact.y", 0.8, s => ((SquareRootImpact)s.Assets[1].Impact).Y),
        ("stress[0].logReturn", -0.1, s => s.Stress[0].LogReturn),
        ("stress[0].step", 3, s => s.Stress[0].Step),
        ("jumps.intensity", 8, s => s.Jumps!.Intensity),
        ("jumps.meanLogSize", -0.05, s => s.Jumps!.MeanLogSize),
        ("garch.alpha", 0.04, s => s.Garch!.Alpha),
        ("garch.beta", 0.92, s => s.Garch!.Beta),
        ("innovations.dof", 4, s => s.Innovations.StudentTDof!.Value),
        ("cascadeThreshold", 0.1, s => s.CascadeThreshold),
        ("uncertainty.depth", 0.2, s => s.Uncertainty.Depth),
        ("steps", 96, s => s.Steps),
        ("book.cohorts[whales].leverage", 5, s => Notional(Cohort(s, "whales")) / Cohort(s, "whales").UsdCollateral),
        ("book.cohorts[whales].notional", 2e9, s => Notional(Cohort(s, "whales"))),
        ("book.cohorts[whales].accounts", 50, s => Cohort(s, "whales").Accounts),
        ("book.cohorts[basis-desk].collateral.USD", 6e7, s => Cohort(s, "basis-desk").UsdCollateral),
        ("book.cohorts[2].leverage", 4, s => Notional(s.Book.Cohorts[2]) / (s.Book.Cohorts[2].Collateral[0].Units * s.Assets[0].Price)),
    ];

    private static readonly (string Key, double Value, Func<Scenario, double> Read)[] GeneratorKeys =
    [
        ("book.generator.cohortsPerAsset", 50, s => s.Book.Generator!.CohortsPerAsset),
        ("book.generator.seed", 9, s => s.Book.Generator!.Seed),
        ("book.generator.crossMarginShare", 0.3, s => s.Book.Generator!.CrossMarginShare),
        ("book.generator.assets.BTC.openInterest", 4e9, s => s.Book.Generator!.Assets[0].OpenInterest),
        ("book.generator.assets.BTC.longShare", 0.6, s => s.Book.Generator!.Assets[0].LongShare),
        ("book.generator.assets.BTC.leverage.median", 10, s => s.Book.Generator!.Assets[0].LeverageMedian),
    ];

    private static IEnumerable<TestCaseData> ListedCases() => Keys.Select(k => new TestCaseData(k.Key, k.Value, k.Read).SetArgDisplayNames(k.Key));
    private static IEnumerable<TestCaseData> GeneratorCases() => GeneratorKeys.Select(k => new TestCaseData(k.Key, k.Value, k.Read).SetArgDisplayNames(k.Key));

    /// <summary>The value reads back, and the scenario is the one <c>compare --vary</c> runs: the document changed by the
    /// same code, and the comparison's variant (no generator here, so no book is held fixed and none breaches).</summary>
    [TestCaseSource(nameof(ListedCases))]
    public void AKeyRoundTripsAndIsWhatVaryBuilds(string key, double value, Func<Scenario, double> read)
    {
        var scenario = ScenarioLoader.LoadYaml(Listed);
        var changed = scenario.With(key, value);
        Assert.That(read(changed), Is.EqualTo(value).Within(1e-12).Percent);
        var document = ScenarioDocument.FromYaml(Listed);
        Assert.That(ScenarioJson.Sha256(changed), Is.EqualTo(ScenarioJson.Sha256(document.With(key, value).ToScenario())));
        if (key != "steps")
        {
            var variant = new VariantFactory(document).Prepare([new(key, value)]);
            Assert.That(variant.DeleveragedNotional, Is.Zero, "the value leaves every cohort above its initial margin");
            Assert.That(ScenarioJson.Sha256(changed), Is.EqualTo(ScenarioJson.Sha256(variant.Scenario)));
        }
    }

    /// <summary>A generator key regenerates the book in a comparison too, so its variant is the changed scenario.</summary>
    [TestCaseSource(nameof(GeneratorCases))]
    public void AGeneratorKeyRoundTripsAndIsWhatVaryBuilds(string key, double value, Func<Scenario, double> read)
    {
        var changed = Full.With(key, value);
        Assert.That(read(changed), Is.EqualTo(value));
        var variant = new VariantFactory(ScenarioDocument.FromYaml(ScenarioTexts.Full)).Prepare([new(key, value)]);
        Assert.That(variant.BookRegenerated, Is.True);
        Assert.That(ScenarioJson.Sha256(changed), Is.EqualTo(ScenarioJson.Sha256(variant.Scenario)));
    }

    /// <summary>Every field the grammar reads as a number: the same scenario, or errors at the same fields, as the
    /// document (<c>--vary</c>) gives.</summary>
    [Test]
    public void EveryNumericFieldBehavesAsVary()
    {
        var binder = new ScenarioBinder();
        Assert.That(binder.Bind(ScenarioSyntax.FromYaml(ScenarioTexts.Full)), Is.Not.Null);
        var paths = binder.Reader.NumberPaths.Order(StringComparer.Ordinal).ToList();
        Assert.That(paths, Has.Count.GreaterThan(60));
        var scenario = Full;
        var document = ScenarioDocument.FromYaml(ScenarioTexts.Full);
        foreach (string path in paths)
            foreach (double value in new[] { 0.5, 3 })
            {
                string? expected = Outcome(() => document.With(path, value).ToScenario());
                Assert.That(Outcome(() => scenario.With(path, value)), Is.EqualTo(expected), $"{path}={value}");
            }

        static string? Outcome(Func<Scenario> change)
        {
            try
            {
                return ScenarioJson.Sha256(change());
            }
            catch (ScenarioException e)
            {
                return "errors at " + string.Join(", ", e.Errors.Select(x => x.Path));
            }
        }
    }

    /// <summary>A scenario built in code (or copied with <c>with</c>) is changed in its JSON as a person would write it:
    /// the keys of the file work the same, and derived values (a long-run volatility that follows the volatility, the
    /// continuous tier amounts) move as they would in the file.</summary>
    [Test]
    public void AScenarioWithoutItsTextIsChangedAsTheFileWouldBe()
    {
        var loaded = Full;
        var copy = loaded with { };
        Assert.That(copy, Is.EqualTo(loaded));
        // Not the listed cohorts' keys, nor a price: there the cohorts keep their units and entry prices.
        foreach (var (key, value, _) in Keys.Concat(GeneratorKeys).Where(k => !k.Key.StartsWith("book.cohorts", StringComparison.Ordinal) && !k.Key.EndsWith(".price", StringComparison.Ordinal)))
            Assert.That(ScenarioJson.Sha256(copy.With(key, value)), Is.EqualTo(ScenarioJson.Sha256(loaded.With(key, value))), key);

        var eth = copy.With("assets[ETH].volatility", 1.2).Assets[1];
        Assert.That(eth.LongRunVolatility, Is.EqualTo(1.2), "ETH's long-run volatility follows, as in the file");
        var tiers = Tiers(copy.With("venue.maintenanceMargin.BTC.tiers[0].rate", 0.003)).Tiers;
        Assert.That(tiers[1].Amount, Is.EqualTo(5e4 * (0.005 - 0.003)).Within(1e-9), "the continuous amount moves with the rate");
        // Listed cohorts are in the cross-margin form there.
        var whales = copy.With("book.cohorts[whales].collateral.USD", 2e8);
        Assert.That(Cohort(whales, "whales").UsdCollateral, Is.EqualTo(2e8));

        var built = new ScenarioBuilder()
            .Horizon("1d").Steps(24).Paths(1000).Seed(3)
            .Asset("BTC", price: 100_000, volatility: 0.6, depth1pct: 1.5e8)
            .Venue(v => v.MaintenanceMargin(0.0075).InsuranceFund(2e7))
            .Isolated("BTC", PositionSide.Long, notional: 1e8, leverage: 10)
            .Build();
        var deeper = built.With("assets[BTC].depth1pct", 3e8);
        Assert.That(deeper.Assets[0].Impact, Is.EqualTo(new LinearImpact(3e8)));
        Assert.That(deeper with { Assets = built.Assets }, Is.EqualTo(built), "nothing else changed");

        // The document of either kind binds to the same scenario (what Comparison and Calibrator change by key).
        Assert.That(ScenarioDocument.From(built).ToScenario(), Is.EqualTo(built));
        Assert.That(ScenarioDocument.From(loaded).ToScenario(), Is.EqualTo(loaded));
        Assert.That(ScenarioDocument.From(loaded).Text, Is.EqualTo(ScenarioTexts.Full));
    }

    [Test]
    public void ChangesChainAndTheOriginalIsUnchanged()
    {
        var scenario = Full;
        string before = ScenarioJson.Sha256(scenario);
        var one = scenario.With("venue.insuranceFund", 1e8).With("assets[BTC].depth1pct", 2e8);
        var both = scenario.With(("venue.insuranceFund", 1e8), ("assets[BTC].depth1pct", 2e8));
        Assert.That(both, Is.EqualTo(one));
        Assert.That(both, Is.Not.EqualTo(scenario));
        Assert.That(ScenarioJson.Sha256(scenario), Is.EqualTo(before));
        Assert.That(scenario.Venue.InsuranceFund, Is.EqualTo(1e7));
        Assert.That(scenario.With(), Is.SameAs(scenario), "no change, no copy");
    }

    /// <summary>Changes that are only valid together are validated once, after the last.</summary>
    [Test]
    public void SeveralChangesAreValidatedTogether()
    {
        var scenario = Full;
        Assert.Throws<ScenarioException>(() => scenario.With("venue.maintenanceMargin.BTC.tiers[1].cap", 4e4));
        var s = scenario.With(("venue.maintenanceMargin.BTC.tiers[0].cap", 3e4), ("venue.maintenanceMargin.BTC.tiers[1].cap", 4e4));
        Assert.That(Tiers(s).Tiers.Select(t => t.Cap).Take(2), Is.EqualTo(new[] { 3e4, 4e4 }));
    }

    private static string Errors(TestDelegate action) =>
        string.Join("\n", Assert.Throws<ScenarioException>(action)!.Errors.Select(e => e.ToString()));

    [Test]
    public void AnUnknownKeyIsNamedWithASuggestion()
    {
        var scenario = Full;
        Assert.That(Errors(() => scenario.With("venue.maintenanceMargn", 0.01)),
            Does.Contain("venue.maintenanceMargn").And.Contain("did you mean 'maintenanceMargin'"));
        Assert.That(Errors(() => scenario.With("assets[BTX].depth1pct", 1e8)), Does.Contain("no item 'BTX'").And.Contain("did you mean 'BTC'"));
        Assert.That(Errors(() => scenario.With("book.cohorts[whale].leverage", 5)), Does.Contain("did you mean 'whales'"));
        Assert.That(Errors(() => scenario.With("venue..insuranceFund", 1)), Does.Contain("expected a key path"));
        Assert.That(Errors(() => (scenario with { }).With("venue.insuranceFnd", 1)), Does.Contain("did you mean 'insuranceFund'"));
    }

    [Test]
    public void ABadValueIsNamedWithTheChange()
    {
        var scenario = Full;
        Assert.That(Errors(() => scenario.With("venue.liquidationPenalty", -0.01)),
            Does.Contain("venue.liquidationPenalty").And.Contain("-0.01").And.Contain("(with venue.liquidationPenalty=-0.01)"));
        Assert.That(Errors(() => scenario.With("venue.maintenanceMargin.ETH", -0.01)), Does.Contain("venue.maintenanceMargin"));
        Assert.That(Errors(() => scenario.With("venue.oracleDelaySteps", 1.5)), Does.Contain("venue.oracleDelaySteps").And.Contain("integer"));
        Assert.That(Errors(() => scenario.With("venue.insuranceFund", double.NaN)), Does.Contain("venue.insuranceFund").And.Contain("finite"));
        Assert.That(Errors(() => scenario.With("assets[BTC].symbol", 3)), Does.Contain("not a number"));
        Assert.That(Errors(() => scenario.With("horizon", 2)), Does.Contain("horizon"));
        // A scenario without its text: no line or column pointing into text nobody has seen.
        var copy = Assert.Throws<ScenarioException>(() => (scenario with { }).With("venue.maintenanceMargin", -0.01))!;
        Assert.That(copy.Errors.All(e => e.Line is null), Is.True, copy.Message);
        Assert.That(copy.Message, Does.Contain("venue.maintenanceMargin"));
    }
}
