using System.Text.RegularExpressions;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Scenarios;

/// <summary>
/// <c>venue.preset</c> (docs/scenarios.md, "Venue presets"): each preset binds to the numbers docs/venue-facts.md gives
/// (known answers written out here, not read from the code), keys beside it override it, unknown names and assets
/// without a rule are refused naming their field, a preset scenario runs and round-trips through its normalised forms,
/// and the documentation lists the presets the code has.
/// </summary>
public partial class VenuePresetTests
{
    /// <summary>A two-hour scenario on the given assets (BTC and ETH by default) with one small cohort per asset and the
    /// given venue keys (YAML lines under <c>venue:</c>, indented by two spaces).</summary>
    private static string Yaml(string venue, params string[] symbols)
    {
        if (symbols.Length == 0) symbols = ["BTC", "ETH"];
        var prices = new Dictionary<string, double> { ["BTC"] = 100_000, ["ETH"] = 3_500, ["SOL"] = 180, ["DOGE"] = 0.2 };
        string assets = string.Concat(symbols.Select(s => $"  - {{symbol: {s}, price: {prices[s]}, volatility: 0.6, depth1pct: 5.0e7}}\n"));
        string cohorts = string.Concat(symbols.Select(s => $"    - {{asset: {s}, side: long, notional: 2.0e6, leverage: 5, accounts: 10}}\n"));
        return $"""
            horizon: 2h
            steps: 24
            paths: 512
            seed: 3
            assets:
            {assets}venue:
            {venue}
            book:
              cohorts:
            {cohorts}
            """;
    }

    private static Scenario Load(string venue, params string[] symbols) => ScenarioLoader.LoadYaml(Yaml(venue, symbols));

    /// <summary>The Hyperliquid preset with its liquidator vault's capital, which no source gives (a YAML line under <c>venue:</c>).</summary>
    private const string Vault = "\n  backstop: {capital: 1.0e8}";

    private static TieredMargin Tiers(Scenario s, int asset)
    {
        Assert.That(s.Venue.MaintenanceMargin[asset], Is.TypeOf<TieredMargin>());
        return (TieredMargin)s.Venue.MaintenanceMargin[asset];
    }

    private static void AssertTiers(TieredMargin t, double[] caps, double[] rates, double[] amounts)
    {
        Assert.That(t.Tiers.Select(x => x.Cap), Is.EqualTo(caps), "caps");
        Assert.That(t.Tiers.Select(x => x.Rate), Is.EqualTo(rates), "rates");
        Assert.That(t.Tiers.Select(x => x.Amount), Is.EqualTo(amounts).Within(1e-6), "maintenance amounts");
    }

    /// <summary>The 2021-03-18 BTCUSDT table and its derived amounts (docs/venue-facts.md, "1. Binance USD-M perpetual").</summary>
    [Test]
    public void BinanceUsdmBindsThe2021BtcTableWithItsDerivedAmounts()
    {
        var s = Load("  preset: binance-usdm\n  maintenanceMargin: {ETH: 0.005}");
        AssertTiers(Tiers(s, 0),
            [5e4, 2.5e5, 1e6, 1e7, 2e7, 5e7, 1e8, 2e8, 3e8, 5e8],
            [0.004, 0.005, 0.01, 0.025, 0.05, 0.10, 0.125, 0.15, 0.25, 0.50],
            [0, 50, 1_300, 16_300, 266_300, 1_266_300, 2_516_300, 5_016_300, 25_016_300, 100_016_300]);
        Assert.That(s.Venue.MaintenanceMargin[1], Is.EqualTo(new StaticMargin(0.005)), "ETH's table is unsourced: the file's rule");
        Assert.That(s.Venue.Adl, Is.True);
        var defaults = new VenueSpec { MaintenanceMargin = [] };
        Assert.That(s.Venue.LiquidationPenalty, Is.EqualTo(defaults.LiquidationPenalty), "the clearance fee is unsourced: the engine's default");
        Assert.That(s.Venue.InsuranceFund, Is.EqualTo(defaults.InsuranceFund));
        Assert.That(s.Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Full), "how far Binance reduces a position is unsourced");
        Assert.That(s.Venue.LiquidationCapacity, Is.EqualTo(double.PositiveInfinity));
        Assert.That(s.Venue.Mechanisms.Count, Is.Zero);
        // Binance's own check of the table: a 2M USDT position needs 2M x 2.5% - 16,300 = 33,700 USDT.
        Assert.That(MaintenanceMargin.Requirement(s.Venue.MaintenanceMargin[0], 2e6, 1, 0), Is.EqualTo(33_700).Within(1e-6));
    }

    /// <summary>Mainnet tiers (MMR = 1 / (2 max leverage)), 20% slices above 100k USDC, no clearance fee, ADL, and the
    /// liquidator vault taking over accounts below 2/3 of their maintenance margin, with the file's capital.</summary>
    [Test]
    public void HyperliquidBindsItsTiersSlicesNoFeeAndItsVault()
    {
        var s = Load("  preset: hyperliquid" + Vault);
        AssertTiers(Tiers(s, 0), [1.5e8, double.PositiveInfinity], [0.0125, 0.025], [0, 1.875e6]);
        AssertTiers(Tiers(s, 1), [1e8, double.PositiveInfinity], [0.02, 1.0 / 30], [0, 1e8 * (1.0 / 30 - 0.02)]);
        Assert.That(Tiers(s, 1).Tiers[1].Amount, Is.EqualTo(1_333_333.33).Within(0.01));
        Assert.That(s.Venue.LiquidationPenalty, Is.Zero);
        Assert.That(s.Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Partial(0.2, 100_000)));
        Assert.That(s.Venue.Adl, Is.True);
        Assert.That(s.Venue.InsuranceFund, Is.Zero);
        Assert.That(s.Venue.Mechanisms.Get<BackstopSpec>(), Is.EqualTo(BackstopSpec.TakingOver(2.0 / 3.0, 1e8)));
        Assert.That(s.Venue.Mechanisms.Count, Is.EqualTo(1));
    }

    /// <summary>No source gives the vault's capital: without it the preset is refused naming the key, <c>backstop: off</c>
    /// leaves the vault out, and the file's other vault keys merge with the preset's.</summary>
    [Test]
    public void TheVaultsCapitalComesFromTheFileOrTheVaultIsLeftOut()
    {
        var e = ScenarioTexts.Rejects(() => Load("  preset: hyperliquid"));
        Assert.That(e.Errors, Has.Count.EqualTo(1), e.Message);
        Assert.That(e.Errors[0].Path, Is.EqualTo("venue.backstop.capital"));
        Assert.That(e.Errors[0].Message, Does.StartWith("required: the preset hyperliquid has a liquidator vault that takes over accounts below 0.6666666666666666"));
        Assert.That(e.Errors[0].Message, Does.Contain("backstop: off"));
        e = ScenarioTexts.Rejects(() => Load("  preset: hyperliquid\n  backstop: {unwindRate: 1}"));
        Assert.That(e.Errors.Select(x => x.Path), Is.EqualTo(new[] { "venue.backstop.capital" }), e.Message);

        Assert.That(Load("  preset: hyperliquid\n  backstop: off").Venue.Mechanisms.Count, Is.Zero);
        var merged = Load("  preset: hyperliquid\n  backstop: {capital: 2.0e8, unwindRate: 0.5, takeover: 0.5}");
        Assert.That(merged.Venue.Mechanisms.Get<BackstopSpec>(), Is.EqualTo(BackstopSpec.TakingOver(0.5, 2e8, unwindRate: 0.5)));
    }

    /// <summary>Genesis liquidity tier 0 (MMF 0.6 x 5%) for BTC and ETH, the 1.5% maximum liquidation fee, deleveraging.</summary>
    [Test]
    public void DydxV4BindsItsGenesisMargins()
    {
        var s = Load("  preset: dydx-v4");
        Assert.That(s.Venue.MaintenanceMargin, Is.EqualTo(new MarginRule[] { new StaticMargin(0.03), new StaticMargin(0.03) }));
        Assert.That(s.Venue.LiquidationPenalty, Is.EqualTo(0.015));
        Assert.That(s.Venue.Adl, Is.True);
        Assert.That(s.Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Full), "the per-block limits need a block time that is not sourced");
        Assert.That(s.Venue.LiquidationCapacity, Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void EveryPresetIsDatedAndTheSameAsWrittenOut()
    {
        Assert.That(VenuePresets.Names, Is.EqualTo(new[] { "binance-usdm", "dydx-v4", "hyperliquid" }));
        foreach (var preset in VenuePresets.All)
        {
            Assert.That(DateOnly.TryParseExact(preset.Date, "yyyy-MM-dd", out _), Is.True, preset.Name);
            // The preset is the keys it lists (with ETH's rule from the file where the preset has none).
            string written = string.Concat(preset.YamlLines().Select(l => "  " + l + "\n"));
            if (preset.Margin("ETH") is null) written = written.Replace("maintenanceMargin: {", "maintenanceMargin: {ETH: 0.005, ");
            string extra = preset.Margin("ETH") is null ? "\n  maintenanceMargin: {ETH: 0.005}" : "";
            if (preset.BackstopTakeover is not null)
            {
                written = written.Replace("backstop: {", "backstop: {capital: 1.0e8, ");
                extra += Vault;
            }
            Assert.That(Load(written.TrimEnd('\n')), Is.EqualTo(Load($"  preset: {preset.Name}{extra}")), preset.Name);
        }
    }

    [Test]
    public void KeysBesideThePresetReplaceItsValues()
    {
        var s = Load("  preset: hyperliquid\n  insuranceFund: 5.0e6\n  liquidationPenalty: 0.005\n  liquidation: full\n  adl: false" + Vault);
        var preset = Load("  preset: hyperliquid" + Vault);
        Assert.That(s.Venue.InsuranceFund, Is.EqualTo(5e6));
        Assert.That(s.Venue.LiquidationPenalty, Is.EqualTo(0.005));
        Assert.That(s.Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Full));
        Assert.That(s.Venue.Adl, Is.False);
        Assert.That(s.Venue.MaintenanceMargin, Is.EqualTo(preset.Venue.MaintenanceMargin), "what the file does not give stays the preset's");

        // A tranche replaces the preset's liquidation whole (its dust size too); a flow backstop replaces the vault.
        var sliced = Load("  preset: hyperliquid\n  liquidation: {mode: partial, tranche: 0.5}\n  backstop: {slippage: 0.01, discount: 0.005, capital: 1.0e8}");
        Assert.That(sliced.Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Partial(0.5)));
        Assert.That(sliced.Venue.Mechanisms.Get<BackstopSpec>(), Is.EqualTo(new BackstopSpec(0.01, 0.005, 1e8)));

        // One rule for every asset replaces the preset's tables; a per-asset map replaces them asset by asset.
        Assert.That(Load("  preset: hyperliquid\n  maintenanceMargin: 0.01" + Vault).Venue.MaintenanceMargin,
            Is.EqualTo(new MarginRule[] { new StaticMargin(0.01), new StaticMargin(0.01) }));
        var mixed = Load("  preset: hyperliquid\n  maintenanceMargin: {ETH: {dynamic: {floor: 0.01, z: 3, closeOutHorizon: 1h}}, SOL: 0.02}" + Vault, "BTC", "ETH", "SOL");
        Assert.That(mixed.Venue.MaintenanceMargin[0], Is.EqualTo(preset.Venue.MaintenanceMargin[0]));
        Assert.That(mixed.Venue.MaintenanceMargin[1], Is.TypeOf<DynamicMargin>());
        Assert.That(mixed.Venue.MaintenanceMargin[2], Is.EqualTo(new StaticMargin(0.02)));
    }

    /// <summary><c>Scenario.With</c> (and so <c>--vary</c>) changes a preset scenario by key like any other.</summary>
    [Test]
    public void AKeyPathChangeKeepsThePreset()
    {
        var s = Load("  preset: hyperliquid" + Vault);
        var changed = s.With("venue.insuranceFund", 1e6);
        Assert.That(changed.Venue, Is.EqualTo(s.Venue with { InsuranceFund = 1e6 }));
        var btc = s.With("venue.maintenanceMargin.BTC", 0.02);
        Assert.That(btc.Venue.MaintenanceMargin, Is.EqualTo(new[] { new StaticMargin(0.02), s.Venue.MaintenanceMargin[1] }));
    }

    [TestCase("hyperliqiud", " (did you mean 'hyperliquid'?)")]
    [TestCase("Binance-USDM", " (did you mean 'binance-usdm'?)")]
    [TestCase("kraken", "")]
    public void AnUnknownPresetIsRefusedWithTheKnownOnes(string name, string hint)
    {
        var e = ScenarioTexts.Rejects(() => Load($"  preset: {name}"));
        Assert.That(e.Errors, Has.Count.EqualTo(1), e.Message + "\n(nothing else: no 'maintenanceMargin: required')");
        Assert.That(e.Errors[0].Path, Is.EqualTo("venue.preset"));
        Assert.That(e.Errors[0].Message, Is.EqualTo($"unknown preset '{name}'{hint}; the presets are binance-usdm, dydx-v4, hyperliquid"));
        Assert.That(e.Errors[0].Line, Is.Not.Null);
    }

    [Test]
    public void APresetMustBeANameAndItsKeyIsSpeltRight()
    {
        var e = ScenarioTexts.Rejects(() => Load("  preset: {name: hyperliquid}"));
        Assert.That(e.Errors.Select(x => x.ToString()), Has.Some.StartsWith("venue.preset: must be text, got a mapping"));
        e = ScenarioTexts.Rejects(() => Load("  presets: hyperliquid"));
        Assert.That(e.Errors.Select(x => x.ToString()), Has.Some.StartsWith("venue.presets: unknown key (did you mean 'preset'?)"));
    }

    [Test]
    public void AnAssetWithoutATableIsRefusedNamingIt()
    {
        var e = ScenarioTexts.Rejects(() => Load("  preset: hyperliquid" + Vault, "BTC", "SOL", "ETH", "DOGE"));
        Assert.That(e.Errors, Has.Count.EqualTo(1), e.Message);
        Assert.That(e.Errors[0].Path, Is.EqualTo("venue.maintenanceMargin"));
        Assert.That(e.Errors[0].Message, Does.StartWith("no rule for SOL, DOGE: the preset hyperliquid has maintenance-margin rules for BTC and ETH only"));
        Assert.That(e.Errors[0].Message, Does.Contain("maintenanceMargin: {SOL: ..., DOGE: ...}"));

        e = ScenarioTexts.Rejects(() => Load("  preset: binance-usdm"));
        Assert.That(e.Errors.Select(x => x.ToString()), Has.Exactly(1).StartsWith("venue.maintenanceMargin: no rule for ETH: the preset binance-usdm"));
        // Named in a per-asset map, it is covered; the others still need one.
        e = ScenarioTexts.Rejects(() => Load("  preset: dydx-v4\n  maintenanceMargin: {SOL: 0.05}", "BTC", "SOL", "DOGE"));
        Assert.That(e.Errors.Select(x => x.ToString()), Has.Exactly(1).StartsWith("venue.maintenanceMargin: no rule for DOGE: the preset dydx-v4"));
        Assert.DoesNotThrow(() => Load("  preset: binance-usdm\n  maintenanceMargin: 0.01", "SOL"), "one rule for every asset needs no table");
    }

    /// <summary>The file's other structural errors are reported with a preset's, and a bad value beside a preset is
    /// located in the file.</summary>
    [Test]
    public void APresetsErrorsComeWithTheOthers()
    {
        var e = ScenarioTexts.Rejects(() => Load("  preset: binance-usdm\n  insuranceFnd: 1"));
        Assert.That(e.Errors.Select(x => x.Path), Is.EquivalentTo(new[] { "venue.maintenanceMargin", "venue.insuranceFnd" }), e.Message);
        e = ScenarioTexts.Rejects(() => Load("  preset: hyperliquid\n  insuranceFund: -1" + Vault));
        Assert.That(e.Errors.Select(x => x.ToString()), Is.EqualTo(new[] { "venue.insuranceFund: must be >= 0, got -1 (line 10, column 18)" }));
    }

    [TestCase("binance-usdm")]
    [TestCase("dydx-v4")]
    [TestCase("hyperliquid")]
    public void APresetScenarioRoundTripsThroughItsNormalisedForms(string name)
    {
        string eth = name == "binance-usdm" ? "ETH: 0.005, " : ""; // the one preset without an ETH rule
        string vault = name == "hyperliquid" ? Vault : "";
        var s = Load($"  preset: {name}\n  maintenanceMargin: {{{eth}DOGE: 0.05}}{vault}", "BTC", "ETH", "DOGE");
        string json = ScenarioJson.Indented(s);
        Assert.That(json, Does.Not.Contain("preset"), "the canonical JSON holds the expanded values");
        Assert.That(ScenarioLoader.LoadJson(json), Is.EqualTo(s));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Canonical(s)), Is.EqualTo(s));
        var yaml = ScenarioLoader.LoadYaml(ScenarioYaml.Normalised(s));
        Assert.That(yaml, Is.EqualTo(s));
        Assert.That(ScenarioJson.Sha256(yaml), Is.EqualTo(ScenarioJson.Sha256(s)));
    }

    [Test]
    public void TheExampleRunsToFiniteResults()
    {
        var s = ScenarioLoader.LoadFile(Path.Combine(ScenarioDocsTests.RepositoryRoot(), "scenarios", "venue-presets.yaml"));
        Assert.That(s.Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Partial(0.2, 100_000)), "the Hyperliquid preset");
        Assert.That(s.Venue.Mechanisms.Get<BackstopSpec>()?.Takeover, Is.EqualTo(2.0 / 3.0), "with its liquidator vault");
        var r = SimulationEngine.Run(s, new RunOptions { Paths = 1024 });
        Assert.That(r.Probabilities.AnyLiquidation.Estimate, Is.GreaterThan(0), "the shock liquidates");
        Assert.That(double.IsFinite(r.BadDebt.Mean) && double.IsFinite(r.LiquidatedNotional.Mean), Is.True);
        Assert.That(r.LiquidatedNotional.Mean, Is.GreaterThan(0));
        Assert.That(r.Mechanisms.Mean("backstop.takeovers").Mean, Is.GreaterThan(0), "the -3% gap sends accounts to the vault");
        Assert.That(ScenarioLoader.LoadJson(r.Manifest!.ScenarioJson), Is.EqualTo(s with { Paths = 1024 }), "the manifest records what ran");

        var small = Load("  preset: dydx-v4");
        var d = SimulationEngine.Run(small with { Stress = [new StressShock(2, 0, -0.25)] }, new RunOptions { Paths = 256 });
        Assert.That(d.Probabilities.AnyLiquidation.Estimate, Is.EqualTo(1), "5x longs at 3% maintenance under -25%");
        Assert.That(double.IsFinite(d.BadDebt.Mean), Is.True);
    }

    /// <summary>The table of docs/scenarios.md, "Venue presets", lists each preset of the code with its date, and its YAML
    /// example loads.</summary>
    [Test]
    public void TheDocumentationListsThePresets()
    {
        string doc = File.ReadAllText(Path.Combine(ScenarioDocsTests.RepositoryRoot(), "docs", "scenarios.md"));
        int at = doc.IndexOf("### Venue presets", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThan(0));
        string section = doc[at..doc.IndexOf("\n## ", at, StringComparison.Ordinal)];
        var listed = PresetRow().Matches(section).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.That(listed, Is.EqualTo(VenuePresets.All.Select(p => (p.Name, p.Date)).ToList()));
        string example = Regex.Match(section, "```yaml\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.That(example, Does.Contain("preset: hyperliquid"));
        var s = Load(string.Concat(example.Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l + "\n")).TrimEnd('\n'));
        Assert.That(s.Venue.InsuranceFund, Is.EqualTo(5e6));
        Assert.That(s.Venue.Liquidation.Tranche, Is.EqualTo(0.2));
    }

    [GeneratedRegex(@"^\| `([a-z0-9-]+)` \((\d{4}-\d{2}-\d{2})", RegexOptions.Multiline)]
    private static partial Regex PresetRow();
}
