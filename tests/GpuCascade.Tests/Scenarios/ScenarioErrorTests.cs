using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GpuCascade.Scenarios;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static GpuCascade.Tests.Scenarios.ScenarioTexts;

namespace GpuCascade.Tests.Scenarios;

/// <summary>Every class of bad input names its field and says what is wrong.</summary>
public partial class ScenarioErrorTests
{
    private const string Simple = nameof(Simple);
    private const string Rich = nameof(Rich);

    [Test]
    public void The_bases_are_valid()
    {
        Assert.DoesNotThrow(() => ScenarioLoader.LoadYaml(IssueExample));
        Assert.DoesNotThrow(() => ScenarioLoader.LoadYaml(Full));
    }

    private static IEnumerable<TestCaseData> BadInputs()
    {
        TestCaseData Case(string basis, string find, string replace, params string[] expected) =>
            new TestCaseData(basis, find, replace, expected).SetArgDisplayNames(expected[0]);

        // Top level and Monte Carlo settings.
        yield return Case(Rich, "steps: 288", "steps: abc", "steps: must be an integer in 1 .. 10000000, got 'abc'");
        yield return Case(Rich, "steps: 288", "steps: 0", "steps: must be an integer in 1 .. 10000000, got 0");
        yield return Case(Rich, "steps: 288", "steps: 1.5", "steps: must be an integer in 1 .. 10000000, got 1.5");
        yield return Case(Rich, "paths: 1000", "paths: -5", "paths: must be an integer in 1 .. 9007199254740992, got -5");
        yield return Case(Rich, "steps: 288", "steps: 3e9", "steps: must be an integer in 1 .. 10000000, got 3e9");
        yield return Case(Rich, "paths: 1000", "paths: 1e16", "paths: must be an integer in 1 .. 9007199254740992, got 1e16");
        yield return Case(Rich, "steps: 288", "steps: " + new string('9', 5000), "steps: must be an integer in 1 .. 10000000, got '9999999999999999999999999999999999999999...' (5,000 characters)");
        yield return Case(Rich, "seed: 11", "seed: -1", "seed: must be a non-negative integer below 2^64, got '-1'");
        yield return Case(Rich, "horizon: 1d", "horizon: 1w", "horizon: expected a duration such as 30s, 5m, 6h or 1d, got '1w'");
        yield return Case(Rich, "horizon: 1d", "horizon: -1d", "horizon: must be > 0, got '-1d'");
        yield return Case(Rich, "precision: double", "precision: float", "precision: must be double or single, got 'float'");
        yield return Case(Rich, "cascadeThreshold: 0.05", "cascadeThreshold: 0", "cascadeThreshold: must be > 0, got 0");
        yield return Case(Rich, "steps: 288", "Steps: 288", "Steps: unknown key (did you mean 'steps'?)", "steps: required");
        yield return Case(Simple, "venue:", "venu:", "venu: unknown key (did you mean 'venue'?)", "venue: required");
        yield return Case(Rich, "dof: 5", "dof: 2", "innovations.dof: must be > 2, got 2");
        yield return Case(Rich, "distribution: student-t", "distribution: cauchy",
            "innovations.distribution: must be normal or student-t, got 'cauchy'");
        yield return Case(Rich, "beta: 0.9", "beta: 0.96", "garch: alpha + beta must be < 1 (per step), got 1.01");
        yield return Case(Rich, "alpha: 0.05", "alpha: -0.1", "garch.alpha: must be >= 0, got -0.1");
        yield return Case(Rich, "intensity: 4", "intensity: 2.0e6",
            "jumps.intensity: intensity x dt is the jump probability per step and must be <= 1, got 19.03");
        yield return Case(Rich, "logSizeVolatility: 0.03", "logSizeVolatility: -0.03", "jumps.logSizeVolatility: must be >= 0, got -0.03");

        // Assets.
        yield return Case(Rich, "price: 100000", "price: 0", "assets[0].price: must be > 0, got 0");
        yield return Case(Rich, "price: 100000", "price: .inf", "assets[0].price: must be a finite number, got Infinity");
        yield return Case(Rich, "volatility: 0.9", "volatility: -0.2", "assets[1].volatility: must be >= 0, got -0.2");
        yield return Case(Rich, "volatility: 0.8", "volatilty: 0.8",
            "assets[0].volatilty: unknown key (did you mean 'volatility'?)", "assets[0].volatility: required");
        yield return Case(Rich, "longRunVolatility: 0.7", "longRunVolatility: -1", "assets[0].longRunVolatility: must be >= 0, got -1");
        yield return Case(Rich, "depth1pct: 5.0e7", "depth1pct: -1", "assets[0].depth1pct: must be > 0, got -1");
        yield return Case(Rich, "haircut: 0.1", "haircut: 0.1\n    depth1pct: 1.0e7", "assets[1].impact: give either depth1pct or impact, not both");
        yield return Case(Rich, "    impact: {model: sqrt, dailyVolume: 2.0e10, y: 1}\n", "", "assets[1]: needs depth1pct (linear impact) or impact");
        yield return Case(Rich, "model: sqrt", "model: cubic", "assets[1].impact.model: must be linear or sqrt, got 'cubic'");
        yield return Case(Rich, "dailyVolume: 2.0e10", "dailyVolume: 0", "assets[1].impact.dailyVolume: must be > 0, got 0");
        yield return Case(Rich, "permanentImpact: 0.5", "permanentImpact: 1.5", "assets[0].permanentImpact: must be in [0, 1], got 1.5");
        yield return Case(Rich, "impactHalfLife: 30m", "impactHalfLife: soon",
            "assets[0].impactHalfLife: expected a duration such as 30s, 5m, 6h or 1d, got 'soon'");
        yield return Case(Rich, "jumpBeta: 1", "jumpBeta: .nan", "assets[0].jumpBeta: must be a finite number, got NaN");
        yield return Case(Rich, "collateralWeight: 0.95", "collateralWeight: 0", "assets[0].collateralWeight: must be in (0, 1], got 0");
        yield return Case(Rich, "haircut: 0.1", "haircut: 1", "assets[1].haircut: must be in [0, 1), got 1");
        yield return Case(Rich, "haircut: 0.1", "haircut: 0.1\n    collateralWeight: 0.9",
            "assets[1].haircut: give either collateralWeight or haircut, not both");
        yield return Case(Simple, "symbol: ETH", "symbol: BTC", "assets[1].symbol: duplicate symbol BTC (also assets[0])");
        yield return Case(Simple, "symbol: ETH", "symbol: USD", "assets[1].symbol: USD is the quote currency");
        yield return Case(Rich, "price: 3000", "price: cheap", "assets[1].price: must be a number, got 'cheap'");

        // Correlation.
        yield return Case(Rich, "  - [0.8, 1]", "  - [0.7, 1]", "correlation[0][1]: must equal correlation[1][0] (0.8 vs 0.7)");
        yield return Case(Rich, "  - [1, 0.8]\n  - [0.8, 1]", "  - [1, 1.2]\n  - [1.2, 1]", "correlation[0][1]: must be in [-1, 1], got 1.2",
            "correlation[1][0]: must be in [-1, 1], got 1.2");
        yield return Case(Rich, "  - [1, 0.8]", "  - [0.9, 0.8]", "correlation[0][0]: diagonal must be 1, got 0.9");
        yield return Case(Rich, "  - [0.8, 1]\n", "", "correlation: must have 2 rows (one per asset, in asset order), got 1");
        yield return Case(Rich, "  - [0.8, 1]", "  - [0.8]", "correlation[1]: must have 2 entries, got 1");

        // Stress.
        yield return Case(Rich, "{step: 0, asset: BTC", "{step: 288, asset: BTC", "stress[0].step: must be in [0, 287] (steps count from 0), got 288");
        yield return Case(Rich, "{step: 0, asset: BTC", "{step: 0, asset: DOGE", "stress[0].asset: unknown asset DOGE");
        yield return Case(Rich, "{step: 0, asset: BTC", "{step: 0, asset: EHT", "stress[0].asset: unknown asset EHT (did you mean 'ETH'?)");
        yield return Case(Rich, "logReturn: -0.05", "logReturn: -.inf", "stress[0].logReturn: must be a finite number, got -Infinity");

        // Venue and margin forms.
        yield return Case(Simple, "maintenanceMargin: 0.005", "maintenanceMargin: 1.5", "venue.maintenanceMargin: must be in (0, 1), got 1.5");
        yield return Case(Rich, "    ETH: {dynamic:", "    DOGE: {dynamic:",
            "venue.maintenanceMargin.DOGE: unknown asset DOGE", "venue.maintenanceMargin: no rule for ETH");
        yield return Case(Rich, "      tiers:", "      tier:", "venue.maintenanceMargin.BTC.tier: unknown key (did you mean 'tiers'?)");
        yield return Case(Rich, "{cap: 2.5e5, rate: 0.005}", "{cap: 4.0e4, rate: 0.005}",
            "venue.maintenanceMargin.BTC.tiers[1].cap: caps must increase strictly, got 40000 after 50000");
        yield return Case(Rich, "{cap: 2.5e5, rate: 0.005}", "{cap: 2.5e5, rate: 0.003}",
            "venue.maintenanceMargin.BTC.tiers[1].rate: rates must not decrease, got 0.003 after 0.004");
        yield return Case(Rich, "{cap: 2.5e5, rate: 0.005}", "{cap: .inf, rate: 0.005}",
            "venue.maintenanceMargin.BTC.tiers[1].cap: only the last tier may be unbounded");
        yield return Case(Rich, "{cap: 5.0e4, rate: 0.004}", "{cap: 5.0e4, rate: 0.004, amount: 0}",
            "venue.maintenanceMargin.BTC.tiers[1].amount: give amount on every tier or on none");
        yield return Case(Rich, "floor: 0.01", "floor: 0", "venue.maintenanceMargin.ETH.dynamic.floor: must be in (0, 1), got 0");
        yield return Case(Rich, "closeOutHorizon: 1h", "closeOutHorizon: 1y",
            "venue.maintenanceMargin.ETH.dynamic.closeOutHorizon: expected a duration");
        yield return Case(Rich, "ETH: {dynamic:", "ETH: {tiers: [{cap: .inf, rate: 0.01}], dynamic:",
            "venue.maintenanceMargin.ETH.dynamic: give either tiers or dynamic, not both");
        yield return Case(Rich, "liquidationPenalty: 0.01", "liquidationPenalty: 1", "venue.liquidationPenalty: must be in [0, 1), got 1");
        yield return Case(Rich, "oracleDelaySteps: 0", "oracleDelaySteps: -1", "venue.oracleDelaySteps: must be an integer in 0 .. 2147483647, got -1");
        yield return Case(Rich, "insuranceFund: 1.0e7", "insuranceFund: -1", "venue.insuranceFund: must be >= 0, got -1");
        yield return Case(Rich, "tranche: 0.25", "tranche: 0", "venue.liquidation.tranche: must be in (0, 1], got 0");
        yield return Case(Rich, "dustNotional: 10", "dustNotional: -10", "venue.liquidation.dustNotional: must be >= 0, got -10");
        yield return Case(Simple, "liquidation: full", "liquidation: partial",
            "venue.liquidation: partial liquidation needs a tranche: {mode: partial, tranche: 0.25}");
        yield return Case(Simple, "liquidation: full", "liquidation: {mode: full, tranche: 0.5}", "venue.liquidation.tranche: only with mode: partial");
        yield return Case(Rich, "roundCap: 64", "roundCap: 0", "venue.roundCap: must be an integer in 1 .. 2147483647, got 0");

        // Book: cohorts.
        yield return Case(Simple, "  cohorts:\n    - {asset: BTC, side: long, notional: 1.0e9, leverage: 10}", "  cohorts: []",
            "book: needs at least one cohort or a generator");
        yield return Case(Simple, "    - {asset: BTC, side: long, notional: 1.0e9, leverage: 10}", "", "book.cohorts: must be a list, got nothing");
        yield return Case(Rich, "{name: whales, asset: BTC", "{name: whales, asset: DOGE", "book.cohorts[0].asset: unknown asset DOGE");
        yield return Case(Rich, "side: long, notional: 1.0e9", "side: up, notional: 1.0e9", "book.cohorts[0].side: must be long or short, got 'up'");
        yield return Case(Rich, "notional: 1.0e9", "notional: 0", "book.cohorts[0].notional: must be > 0, got 0");
        yield return Case(Rich, "leverage: 10, accounts: 1000", "leverage: -10, accounts: 1000", "book.cohorts[0].leverage: must be > 0, got -10");
        yield return Case(Simple, "leverage: 10}", "leverage: 250}",
            "book.cohorts[0]: initial margin does not exceed maintenance (equity 4.0e6 <= requirement 5.0e6; leverage 250 needs maintenance below 0.4%, the venue's is 0.5%)");
        yield return Case(Rich, "leverage: 5, collateralAsset: BTC", "leverage: 50, collateralAsset: BTC",
            "book.cohorts[2]: initial margin does not exceed maintenance");
        yield return Case(Rich, "leverage: 10, accounts: 1000", "leverage: 60, accounts: 1000",
            "book.cohorts[0]: initial margin does not exceed maintenance", "cohort 'whales'");
        yield return Case(Rich, "collateral: {USD: 5.0e7, BTC: 100}", "collateral: {USD: 5.0e7, BTC: 100}\n      leverage: 5",
            "book.cohorts[1].leverage: give either collateral or leverage, not both");
        yield return Case(Rich, "      collateral: {USD: 5.0e7, BTC: 100}\n", "", "book.cohorts[1]: needs collateral or leverage");
        yield return Case(Rich, "BTC: 100}", "BTC: -100}", "book.cohorts[1].collateral.BTC: must be >= 0, got -100");
        yield return Case(Rich, "USD: 5.0e7", "USD: -5.0e7", "book.cohorts[1].collateral.USD: must be >= 0, got -50000000");
        yield return Case(Rich, "BTC: 100}", "DOGE: 100}", "book.cohorts[1].collateral.DOGE: unknown asset DOGE");
        yield return Case(Rich, "accounts: 20", "accounts: 0", "book.cohorts[1].accounts: must be > 0, got 0");
        yield return Case(Rich, "entryPrice: 3100", "entryPrice: -3100", "book.cohorts[1].positions[1].entryPrice: must be > 0, got -3100");
        yield return Case(Rich, "{asset: ETH, side: short, notional: 4.0e8", "{asset: SOL, side: short, notional: 4.0e8",
            "book.cohorts[1].positions[1].asset: unknown asset SOL");
        yield return Case(Rich, "collateralAsset: BTC", "collateralAsset: USDT", "book.cohorts[2].collateralAsset: unknown asset USDT");
        yield return Case(Rich, "accounts: 20\n", "accounts: 20\n      side: long\n",
            "book.cohorts[1].side: not used with positions (the cross-margin form)");
        yield return Case(Rich, "leverage: 5, collateralAsset: BTC}", "leverage: 5, collateral: {BTC: 1}}",
            "book.cohorts[2].collateral: only with positions (the cross-margin form)");
        yield return Case(Rich, "name: whales, asset", "nmae: whales, asset", "book.cohorts[0].nmae: unknown key (did you mean 'name'?)");

        // Book: generator.
        yield return Case(Rich, "      BTC: {openInterest", "      DOGE: {openInterest", "book.generator.assets.DOGE: unknown asset DOGE");
        yield return Case(Rich, "openInterest: 6.0e9", "openInterest: 0", "book.generator.assets.BTC.openInterest: must be > 0, got 0");
        yield return Case(Rich, "longShare: 0.55", "longShare: 1.5", "book.generator.assets.BTC.longShare: must be in [0, 1], got 1.5");
        yield return Case(Rich, "median: 12", "median: 0.5", "book.generator.assets.BTC.leverage.median: must be >= 1, got 0.5");
        yield return Case(Rich, "max: 50}", "max: 5}", "book.generator.assets.BTC.leverage.max: must be >= leverage.median (12), got 5");
        yield return Case(Rich, "coinMarginedShare: 0.1", "coinMarginedShare: 0.9",
            "book.generator: crossMarginShare + coinMarginedShare must be <= 1, got 1.1");
        yield return Case(Rich, "cohortsPerAsset: 100", "cohortsPerAsset: 0", "book.generator.cohortsPerAsset: must be an integer in 1 .. 10000000, got 0");
        yield return Case(Rich, "cohortsPerAsset: 100", "cohortsPerAsset: 1e7", "book: at most 10,000,000 cohorts (listed and generated together), got 10,000,00");
        yield return Case(Rich, "entryDispersion: 0.04", "entryDispersion: 400", "entryDispersion: must be in [0, 5], got 400");
        yield return Case(Rich, "accountsPerCohort: 1000", "accountsPerCohort: 0", "book.generator.accountsPerCohort: must be > 0, got 0");
        yield return Case(Rich, "entryDispersion: 0.04", "entryDispersal: 0.04",
            "book.generator.assets.BTC.entryDispersal: unknown key (did you mean 'entryDispersion'?)");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void Bad_input_names_the_field(string basis, string find, string replace, string[] expected)
    {
        string text = Edit(basis == Rich ? Full : IssueExample, find, replace);
        var e = Rejects(() => ScenarioLoader.LoadYaml(text));
        foreach (var fragment in expected) Assert.That(e.Message, Does.Contain(fragment));
        Assert.That(e.Errors, Has.Count.EqualTo(expected.Count(f => f.Contains(": "))), e.Message);
    }

    [TestCaseSource(nameof(BadInputs))]
    public void Json_gives_the_same_errors(string basis, string find, string replace, string[] expected)
    {
        string text = Edit(basis == Rich ? Full : IssueExample, find, replace);
        string yamlMessage = Rejects(() => ScenarioLoader.LoadYaml(text)).Message;
        var json = Rejects(() => ScenarioLoader.LoadJson(YamlToJson(text)));
        Assert.That(json.Errors.Select(e => e.ToString()), Is.EqualTo(yamlMessage.Split(Environment.NewLine).Select(StripPosition)));
    }

    /// <summary>JSON nodes have no positions, so compare the YAML errors without theirs.</summary>
    private static string StripPosition(string message) => Position().Replace(message, "");

    [GeneratedRegex(@" \(line \d+, column \d+\)$")]
    private static partial Regex Position();

    /// <summary>The same document as JSON: numbers stay numbers, other scalars become strings.</summary>
    private static string YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var json = new StringBuilder();
        Write(stream.Documents[0].RootNode);
        return json.ToString();

        void Write(YamlNode node)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    json.Append('{');
                    foreach (var (key, value) in map.Children)
                    {
                        if (json[^1] != '{') json.Append(", ");
                        json.Append(JsonSerializer.Serialize(((YamlScalarNode)key).Value)).Append(": ");
                        Write(value);
                    }
                    json.Append('}');
                    break;
                case YamlSequenceNode sequence:
                    json.Append('[');
                    foreach (var item in sequence.Children)
                    {
                        if (json[^1] != '[') json.Append(", ");
                        Write(item);
                    }
                    json.Append(']');
                    break;
                case YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" }:
                    json.Append("null");
                    break;
                case YamlScalarNode { Value: var text }:
                    json.Append(JsonNumber().IsMatch(text ?? "") ? text : JsonSerializer.Serialize(text));
                    break;
            }
        }
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}
