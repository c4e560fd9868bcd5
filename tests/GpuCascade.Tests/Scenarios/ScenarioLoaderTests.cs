using GpuCascade.Scenarios;
using static GpuCascade.Tests.Scenarios.ScenarioTexts;

namespace GpuCascade.Tests.Scenarios;

public class ScenarioLoaderTests
{
    [Test]
    public void Issue_example_loads_with_its_values()
    {
        var s = ScenarioLoader.LoadYaml(IssueExample);

        Assert.That(s.Horizon.Text, Is.EqualTo("30d"));
        Assert.That(s.Horizon.Years, Is.EqualTo(30.0 / 365.0).Within(1e-15));
        Assert.That(s.StepYears, Is.EqualTo(30.0 / 365.0 / 2000).Within(1e-18));
        Assert.That((s.Steps, s.Paths, s.Seed), Is.EqualTo((2000, 200_000L, 11UL)));
        Assert.That(s.Precision, Is.EqualTo(Precision.Double));
        Assert.That(s.CascadeThreshold, Is.EqualTo(0.05));
        Assert.That(s.Innovations, Is.EqualTo(InnovationSpec.Normal));
        Assert.That(s.Garch, Is.Null);
        Assert.That(s.Jumps, Is.Null);

        Assert.That(s.Assets, Has.Length.EqualTo(2));
        var btc = s.Assets[0];
        Assert.That((btc.Symbol, btc.Price, btc.Volatility, btc.LongRunVolatility, btc.Drift), Is.EqualTo(("BTC", 100_000.0, 0.8, 0.8, 0.0)));
        Assert.That(btc.Impact, Is.EqualTo(new LinearImpact(5e7)));
        Assert.That((btc.PermanentImpact, btc.ImpactHalfLife.Text, btc.JumpBeta, btc.CollateralWeight), Is.EqualTo((0.5, "30m", 1.0, 1.0)));
        var eth = s.Assets[1];
        Assert.That((eth.Symbol, eth.Price, eth.Volatility), Is.EqualTo(("ETH", 3000.0, 0.9)));
        Assert.That(eth.Impact, Is.EqualTo(new LinearImpact(2e7)));

        Assert.That(s.Correlation, Is.EqualTo(new[] { 1, 0.8, 0.8, 1 }));
        Assert.That(s.Stress, Is.EqualTo(new[] { new StressShock(0, 0, -0.05) }));

        Assert.That(s.Venue.MaintenanceMargin, Is.EqualTo(new[] { new StaticMargin(0.005), new StaticMargin(0.005) }));
        Assert.That((s.Venue.LiquidationPenalty, s.Venue.OracleDelaySteps, s.Venue.InsuranceFund, s.Venue.RoundCap),
            Is.EqualTo((0.01, 0, 1e7, 64)));
        Assert.That(s.Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Full));

        Assert.That(s.Book.Generator, Is.Null);
        var cohort = s.Book.Cohorts.Single();
        Assert.That(cohort.Positions, Is.EqualTo(new[] { new PositionSpec(0, 1e9 / 100_000, 100_000) }));
        Assert.That((cohort.UsdCollateral, cohort.Accounts, cohort.Collateral.Length), Is.EqualTo((1e8, 1.0, 0)));
    }

    [Test]
    public void Json_gives_the_same_scenario_as_yaml()
    {
        var yaml = ScenarioLoader.LoadYaml(IssueExample);
        var json = ScenarioLoader.LoadJson(IssueExampleJson);
        Assert.That(json, Is.EqualTo(yaml));
        Assert.That(json.GetHashCode(), Is.EqualTo(yaml.GetHashCode()));
    }

    [Test]
    public void Equality_compares_content()
    {
        var a = ScenarioLoader.LoadYaml(Full);
        var b = ScenarioLoader.LoadYaml(Full);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        Assert.That(a, Is.Not.EqualTo(ScenarioLoader.LoadYaml(Edit(Full, "rate: 0.025", "rate: 0.03"))));
        Assert.That(a, Is.Not.EqualTo(ScenarioLoader.LoadYaml(Edit(Full, "notional: 5.0e8", "notional: 6.0e8"))));
    }

    [Test]
    public void Full_format_loads_every_form()
    {
        var s = ScenarioLoader.LoadYaml(Full);

        Assert.That(s.Innovations.StudentTDof, Is.EqualTo(5));
        Assert.That(s.Garch, Is.EqualTo(new GarchSpec(0.05, 0.9)));
        Assert.That(s.Jumps, Is.EqualTo(new JumpSpec(4, -0.07, 0.03)));
        Assert.That(s.Assets[0].LongRunVolatility, Is.EqualTo(0.7));
        Assert.That(s.Assets[0].CollateralWeight, Is.EqualTo(0.95));
        Assert.That(s.Assets[1].Impact, Is.EqualTo(new SquareRootImpact(2e10, 1)));
        Assert.That(s.Assets[1].CollateralWeight, Is.EqualTo(0.9).Within(1e-15), "weight = 1 - haircut");

        var btcRule = (TieredMargin)s.Venue.MaintenanceMargin[0];
        Assert.That(btcRule.Tiers.Select(t => t.Cap), Is.EqualTo(new[] { 5e4, 2.5e5, double.PositiveInfinity }));
        Assert.That(btcRule.Tiers.Select(t => t.Amount), Is.EqualTo(new[] { 0, 50, 5050 }).Within(1e-9), "continuous amounts");
        Assert.That(s.Venue.MaintenanceMargin[1], Is.EqualTo(new DynamicMargin(0.01, 3, Duration.Parse("1h"))));
        Assert.That(s.Venue.Liquidation, Is.EqualTo(new LiquidationPolicy(0.25, 10)));

        var cross = s.Book.Cohorts[1];
        Assert.That((cross.Name, cross.Accounts, cross.UsdCollateral), Is.EqualTo(("basis-desk", 20.0, 5e7)));
        Assert.That(cross.Positions, Is.EqualTo(new[] { new PositionSpec(0, 5000, 100_000), new PositionSpec(1, -4e8 / 3100, 3100) }));
        Assert.That(cross.Collateral, Is.EqualTo(new[] { new CollateralHolding(0, 100) }));

        var coinMargined = s.Book.Cohorts[2];
        Assert.That(coinMargined.UsdCollateral, Is.EqualTo(0));
        Assert.That(coinMargined.Collateral, Is.EqualTo(new[] { new CollateralHolding(0, 2e8 / 5 / 100_000) }));

        var g = s.Book.Generator!;
        Assert.That((g.Seed, g.CohortsPerAsset, g.CrossMarginShare, g.CoinMarginedShare, g.AccountsPerCohort),
            Is.EqualTo((7UL, 100, 0.2, 0.1, 1000.0)));
        Assert.That(g.Assets.Single(), Is.EqualTo(new GeneratorAssetSpec
        {
            AssetIndex = 0, OpenInterest = 6.0e9, LongShare = 0.55, LeverageMedian = 12, LeverageDispersion = 0.6,
            LeverageMax = 50, EntryDispersion = 0.04,
        }));
    }

    [Test]
    public void Default_scenario_loads()
    {
        Assert.That(ScenarioLoader.DefaultScenarioText, Does.Contain("horizon: 1d"));
        var s = ScenarioLoader.LoadDefault();

        Assert.That(s.Assets.Select(a => a.Symbol), Is.EqualTo(new[] { "BTC", "ETH", "SOL" }));
        Assert.That((s.Steps, s.Paths, s.Seed), Is.EqualTo((288, 20_000L, 20261121UL)));
        Assert.That(s.Correlation, Has.Length.EqualTo(9));
        Assert.That(s.Venue.MaintenanceMargin[0], Is.TypeOf<TieredMargin>());
        Assert.That(s.Venue.MaintenanceMargin[1], Is.EqualTo(new StaticMargin(0.005)));
        Assert.That(s.Venue.MaintenanceMargin[2], Is.TypeOf<DynamicMargin>());
        Assert.That(s.Book.Generator!.Assets.Select(a => a.AssetIndex), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(ScenarioValidator.Validate(s), Is.Empty);
    }

    [Test]
    public void Numbers_accept_yaml_and_json_spellings()
    {
        var s = ScenarioLoader.LoadYaml(IssueExample
            .Replace("paths: 200000", "paths: 2e5")
            .Replace("seed: 11", "seed: 18446744073709551615")
            .Replace("insuranceFund: 1.0e7", "insuranceFund: 1E7"));
        Assert.That((s.Paths, s.Seed, s.Venue.InsuranceFund), Is.EqualTo((200_000L, ulong.MaxValue, 1e7)));

        var tiers = ScenarioLoader.LoadJson(IssueExampleJson.Replace(
            "\"maintenanceMargin\": 0.005",
            "\"maintenanceMargin\": {\"tiers\": [{\"cap\": 1e6, \"rate\": 0.005}, {\"cap\": \"inf\", \"rate\": 0.01}]}"));
        Assert.That(((TieredMargin)tiers.Venue.MaintenanceMargin[0]).Tiers[1].Cap, Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void Singular_correlation_is_valid()
    {
        var two = ScenarioLoader.LoadYaml(Edit(IssueExample, "[[1, 0.8], [0.8, 1]]", "[[1, 1], [1, 1]]"));
        Assert.That(two.Correlation, Is.EqualTo(new[] { 1.0, 1, 1, 1 }));
        var three = ScenarioLoader.LoadYaml(ThreeAssets("[[1, 1, -1], [1, 1, -1], [-1, -1, 1]]"));
        Assert.That(three.Correlation, Has.Length.EqualTo(9));
    }

    [Test]
    public void Correlation_that_is_not_positive_semi_definite_reports_its_smallest_eigenvalue()
    {
        // Eigenvalues of [[1, .9, -.9], [.9, 1, .9], [-.9, .9, 1]]: 1.9, 1.9, -0.8.
        var e = Rejects(() => ScenarioLoader.LoadYaml(ThreeAssets("[[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]")));
        Assert.That(e.Message, Does.Contain("correlation: not positive semi-definite (eigenvalue -0.8)"));
    }

    [Test]
    public void Files_are_read_by_extension()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gpucascade-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.yaml"), IssueExample);
            File.WriteAllText(Path.Combine(dir, "a.JSON"), IssueExampleJson);
            File.WriteAllText(Path.Combine(dir, "yaml.txt"), IssueExample);
            var expected = ScenarioLoader.LoadYaml(IssueExample);
            Assert.That(ScenarioLoader.LoadFile(Path.Combine(dir, "a.yaml")), Is.EqualTo(expected));
            Assert.That(ScenarioLoader.LoadFile(Path.Combine(dir, "a.JSON")), Is.EqualTo(expected));
            Assert.That(ScenarioLoader.LoadFile(Path.Combine(dir, "yaml.txt")), Is.EqualTo(expected));

            string missing = Path.Combine(dir, "missing.yaml");
            var e = Rejects(() => ScenarioLoader.LoadFile(missing));
            Assert.That(e.Message, Is.EqualTo($"scenario file not found: {missing}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Malformed_yaml_reports_line_and_column()
    {
        var e = Rejects(() => ScenarioLoader.LoadYaml("horizon: 1d\nsteps: 288\n  paths: 5\n"));
        var error = e.Errors.Single();
        Assert.That((error.Line, error.Column), Is.EqualTo((3, 8)));
        Assert.That(e.Message, Does.StartWith("line 3, column 8: malformed YAML"));

        var unclosed = Rejects(() => ScenarioLoader.LoadYaml("horizon: 1d\nsteps: [1, 2\npaths: 5\n")).Errors.Single();
        Assert.That(unclosed.Message, Does.StartWith("malformed YAML"));
        Assert.That(unclosed.Line, Is.EqualTo(3));

        var duplicate = Rejects(() => ScenarioLoader.LoadYaml("horizon: 1d\nsteps: 1\nsteps: 2\n")).Errors.Single();
        Assert.That((duplicate.Line, duplicate.Message), Is.EqualTo(((int?)3, "malformed YAML: Duplicate key steps")));
    }

    [Test]
    public void Malformed_json_reports_line_and_column()
    {
        var e = Rejects(() => ScenarioLoader.LoadJson("{\n  \"horizon\": \"1d\",\n  \"steps\" 288\n}"));
        var error = e.Errors.Single();
        Assert.That((error.Line, error.Column), Is.EqualTo((3, 11)));
        Assert.That(e.Message, Does.StartWith("line 3, column 11: malformed JSON:"));
        Assert.That(e.Message, Does.Not.Contain("BytePositionInLine"));

        Assert.That(Rejects(() => ScenarioLoader.LoadJson("{\"steps\": 1, \"steps\": 2}")).Message,
            Does.Contain("duplicate key 'steps'"));
    }

    [Test]
    public void Value_errors_in_yaml_carry_the_line_of_their_field()
    {
        var e = Rejects(() => ScenarioLoader.LoadYaml(Edit(Full, "volatility: 0.9", "volatility: -0.2")));
        var error = e.Errors.Single();
        Assert.That(error.Path, Is.EqualTo("assets[1].volatility"));
        Assert.That(error.Line, Is.EqualTo(Full.Split('\n').ToList().FindIndex(l => l.Contains("volatility: 0.9")) + 1));
        Assert.That(e.Message, Does.Contain($"(line {error.Line}, column 17)"));

        var derived = Rejects(() => ScenarioLoader.LoadYaml(Edit(Full, "side: long, notional: 1.0e9", "side: long, notional: 1.0e9, entryPrice: 0")))
            .Errors.Single();
        Assert.That(derived.Path, Is.EqualTo("book.cohorts[0].entryPrice"));
        Assert.That(derived.Line, Is.EqualTo(Full.Split('\n').ToList().FindIndex(l => l.Contains("name: whales")) + 1));
    }

    [Test]
    public void Every_error_is_reported_at_once()
    {
        var structural = Rejects(() => ScenarioLoader.LoadYaml(Edit(Edit(Edit(Full,
            "steps: 288", "steps: many"), "volatility: 0.8", "volatilty: 0.8"), "side: long, notional: 1.0e9", "side: up, notional: 1.0e9")));
        Assert.That(structural.Errors.Select(x => x.Path), Is.EquivalentTo(new[]
        {
            "steps", "assets[0].volatilty", "assets[0].volatility", "book.cohorts[0].side",
        }));

        var values = Rejects(() => ScenarioLoader.LoadYaml(Edit(Edit(Edit(Full,
            "paths: 1000", "paths: 0"), "price: 3000", "price: -1"), "roundCap: 64", "roundCap: 0")));
        Assert.That(values.Errors.Select(x => x.Path), Is.SupersetOf(new[] { "paths", "assets[1].price", "venue.roundCap" }));
    }

    [Test]
    public void Root_must_be_a_mapping()
    {
        Assert.That(Rejects(() => ScenarioLoader.LoadYaml("- 1\n- 2\n")).Message, Does.Contain("a scenario must be a mapping"));
        Assert.That(Rejects(() => ScenarioLoader.LoadYaml("")).Message, Does.Contain("the scenario is empty"));
        Assert.That(Rejects(() => ScenarioLoader.LoadJson("[1]")).Message, Does.Contain("a scenario must be a mapping"));
    }

    [Test]
    public void Tiers_with_explicit_amounts_keep_them()
    {
        var s = ScenarioLoader.LoadYaml(Edit(IssueExample, "maintenanceMargin: 0.005",
            "maintenanceMargin: {tiers: [{cap: 1.0e5, rate: 0.005, amount: 0}, {cap: .inf, rate: 0.01, amount: 400}]}"));
        var rule = (TieredMargin)s.Venue.MaintenanceMargin[0];
        Assert.That(rule.Tiers, Is.EqualTo(new[] { new MarginTier(1e5, 0.005, 0), new MarginTier(double.PositiveInfinity, 0.01, 400) }));
        Assert.That(MaintenanceMargin.Requirement(rule, 2e5, 1, 0), Is.EqualTo(2e5 * 0.01 - 400));
    }

    internal static string ThreeAssets(string correlation) => $$"""
        horizon: 1d
        steps: 10
        paths: 10
        seed: 1
        assets:
          - {symbol: A, price: 1, volatility: 0.5, depth1pct: 1.0e6}
          - {symbol: B, price: 1, volatility: 0.5, depth1pct: 1.0e6}
          - {symbol: C, price: 1, volatility: 0.5, depth1pct: 1.0e6}
        correlation: {{correlation}}
        venue: {maintenanceMargin: 0.01}
        book: {cohorts: [{asset: A, side: long, notional: 1.0e6, leverage: 5}]}
        """;
}
