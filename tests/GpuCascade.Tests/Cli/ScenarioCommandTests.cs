using GpuCascade.Cli;
using GpuCascade.Cli.Shared;
using GpuCascade.Scenarios;
using GpuCascade.Tests.Scenarios;

namespace GpuCascade.Tests.Cli;

/// <summary><c>gpucascade scenario default</c> and <c>scenario check FILE</c>: the embedded file byte for byte, the normalised
/// scenario that loads back to the same one (the same SHA-256), and bad files refused like <c>run</c> refuses them.</summary>
public class ScenarioCommandTests : CliTestBase
{
    private static string Repo(params string[] parts) => Path.Combine([ScenarioDocsTests.RepositoryRoot(), .. parts]);

    [Test]
    public void DefaultPrintsTheEmbeddedScenarioByteForByte()
    {
        var (code, stdout, err) = Run("scenario", "default");
        Assert.That(code, Is.Zero, err);
        Assert.That(stdout, Is.EqualTo(File.ReadAllText(Repo("scenarios", "default.yaml"))));
        Assert.That(err, Is.Empty);
    }

    /// <summary>The check's output loads to the same scenario as the file, and checking it again prints the same YAML.</summary>
    private static string AssertRoundTrip(string file)
    {
        var (code, stdout, err) = Run("scenario", "check", file);
        Assert.That(code, Is.Zero, err);
        var original = ScenarioLoader.LoadFile(file);
        var loaded = ScenarioLoader.LoadYaml(stdout);
        Assert.That(ScenarioJson.Sha256(loaded), Is.EqualTo(ScenarioJson.Sha256(original)));
        Assert.That(loaded, Is.EqualTo(original));
        Assert.That(stdout, Does.Contain($"sha256\n# {ScenarioJson.Sha256(original)}"), "the header names the hash a run's manifest shows");
        string again = Path.Combine(Path.GetDirectoryName(file)!, "normalised-" + Path.GetFileNameWithoutExtension(file) + ".yaml");
        File.WriteAllText(again, stdout);
        var second = Run("scenario", "check", again);
        Assert.That(second.Code, Is.Zero, second.Err);
        Assert.That(Body(second.Out), Is.EqualTo(Body(stdout)), "normalising is idempotent");
        return stdout;
    }

    private static string Body(string yaml) => string.Join("\n", yaml.Split('\n').SkipWhile(l => l.StartsWith('#')));

    [TestCase("default.yaml")]
    [TestCase("flash-crash.yaml")]
    [TestCase("venue-presets.yaml")]
    public void CheckPrintsTheNormalisedScenarioWhichLoadsBackToTheSameOne(string name)
    {
        string copy = Path.Combine(_dir, name);
        File.Copy(Repo("scenarios", name), copy);
        string yaml = AssertRoundTrip(copy);
        Assert.That(yaml, Does.Contain("longRunVolatility:").And.Contain("permanentImpact: 0.5"), "defaults are explicit");
        Assert.That(yaml, Does.Contain("  generator:\n"), "a generated book stays a generator");
    }

    [Test]
    public void ListedCohortsEveryKeyAndQuotedNamesRoundTrip()
    {
        string file = Path.Combine(_dir, "full.yaml");
        File.WriteAllText(file, ScenarioTexts.Edit(ScenarioTexts.Full, "name: whales", "name: 'desk: \"A\" #1, ok'"));
        string yaml = AssertRoundTrip(file);
        Assert.That(yaml, Does.Contain("name: \"desk: \\\"A\\\" #1, ok\""));
        Assert.That(yaml, Does.Contain("cap: .inf"));
    }

    [Test]
    public void AJsonFileIsCheckedAndPrintedAsYaml()
    {
        string file = Path.Combine(_dir, "issue.json");
        File.WriteAllText(file, ScenarioTexts.IssueExampleJson);
        AssertRoundTrip(file);
    }

    [Test]
    public void ABadFileIsExitTwoWithEveryErrorNamingItsField()
    {
        string file = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(file, ScenarioTexts.Edit(ScenarioTexts.Edit(ScenarioTexts.Full, "volatility: 0.9", "volatility: -0.2"),
            "dustNotional: 10", "dustNotional: -1"));
        var (code, stdout, err) = Run("scenario", "check", file);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(stdout, Is.Empty, "nothing that could be taken for a valid scenario");
        Assert.That(err, Does.Contain("error: assets[1].volatility: must be >= 0, got -0.2 (line"));
        Assert.That(err, Does.Contain("error: venue.liquidation.dustNotional"));
        Assert.That(err, Does.Not.Contain("   at "));
    }

    /// <summary><c>scenario presets</c>: every venue preset with its date and the keys it sets, which a file may write
    /// instead of the name to the same scenario; <c>scenario check</c> prints a preset's keys, not its name.</summary>
    [Test]
    public void PresetsListsEveryPresetWithItsKeys()
    {
        var (code, stdout, err) = Run("scenario", "presets");
        Assert.That(code, Is.Zero, err);
        foreach (var preset in VenuePresets.All)
        {
            Assert.That(stdout, Does.Contain($"{preset.Name} ({preset.Date}): "));
            foreach (string line in preset.YamlLines()) Assert.That(stdout, Does.Contain($"\n  {line}\n"));
        }
        Assert.That(stdout, Does.Contain("  liquidation: {mode: partial, tranche: 0.2, dustNotional: 100000}\n"));
        var check = Run("scenario", "check", Repo("scenarios", "venue-presets.yaml"));
        Assert.That(check.Code, Is.Zero, check.Err);
        Assert.That(check.Out, Does.Not.Contain("preset:").And.Contain("  liquidation: {mode: partial, tranche: 0.2, dustNotional: 100000}\n"));
    }

    [Test]
    public void MistakesOnTheCommandLineAreNamed()
    {
        var missing = Run("scenario", "check", Path.Combine(_dir, "absent.yaml"));
        Assert.That(missing.Code, Is.EqualTo(2));
        Assert.That(missing.Err, Does.Contain("scenario file not found"));
        var bare = Run("scenario");
        Assert.That(bare.Code, Is.EqualTo(2));
        Assert.That(bare.Err, Does.Contain("scenario: needs a subcommand, default, check or presets"));
        var typo = Run("scenario", "chek");
        Assert.That(typo.Code, Is.EqualTo(2));
        Assert.That(typo.Err, Does.Contain("unknown subcommand 'chek' of scenario").And.Contain("'check'"));
        var noFile = Run("scenario", "check");
        Assert.That(noFile.Code, Is.EqualTo(2));
        Assert.That(noFile.Err, Does.Contain("scenario check: needs the scenario FILE"));
        var help = Run("scenario", "check", "--help");
        Assert.That(help.Code, Is.Zero);
        Assert.That(help.Out, Does.Contain("Examples:").And.Contain("gpucascade scenario check venue.yaml"));
        Assert.That(Run("--help").Out, Does.Contain("scenario"));
    }

    /// <summary><c>scenario check FILE --ladder</c>: the ladder instead of the YAML, one table per asset with every level,
    /// and the verdict per direction; the numbers are the library's.</summary>
    [Test]
    public void CheckWithLadderPrintsTheLadderOfEveryAsset()
    {
        string file = Repo("scenarios", "default.yaml");
        var (code, stdout, err) = Run("scenario", "check", file, "--ladder");
        Assert.That(code, Is.Zero, err);
        Assert.That(stdout, Does.Not.Contain("generator:"), "the ladder replaces the normalised scenario");
        var ladder = GpuCascade.Book.LiquidationLadder.Of(ScenarioLoader.LoadFile(file));
        foreach (var a in ladder.Assets)
        {
            Assert.That(stdout, Does.Contain($"{a.Symbol}: depth per 1% {GpuCascade.Reporting.SummaryTable.Usd(a.DepthPerPercent)}"));
            Assert.That(stdout, Does.Contain($"{a.Symbol} down: ").And.Contain($"{a.Symbol} up: "));
            string level10 = stdout.Split('\n').Where(l => l.StartsWith("   10 ", StringComparison.Ordinal)).Skip(ladder.Assets.ToList().IndexOf(a)).First();
            Assert.That(level10, Does.Contain(GpuCascade.Reporting.SummaryTable.Usd(a.Down.Cumulative[10])), a.Symbol);
        }
        Assert.That(stdout.Split('\n').Count(l => l.StartsWith("   20 ", StringComparison.Ordinal)), Is.EqualTo(3), "20 levels per asset");
        Assert.That(stdout, Does.Contain("ETH up: supercritical from level 1"));

        var coarse = Run("scenario", "check", file, "--ladder", "--ladder-levels", "4", "--ladder-step", "2.5");
        Assert.That(coarse.Code, Is.Zero, coarse.Err);
        Assert.That(coarse.Out, Does.Contain("4 levels of 2.5% each way").And.Contain("    4     10% |"));
        Assert.That(coarse.Out.Split('\n').Count(l => l.StartsWith("    5 ", StringComparison.Ordinal)), Is.Zero);

        var bad = Run("scenario", "check", file, "--ladder", "--ladder-step", "0");
        Assert.That(bad.Code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(bad.Err, Does.Contain("--ladder-step"));
    }

    /// <summary>The run's summary has the compact ladder, and its JSON result the ladder block.</summary>
    [Test]
    public void ARunShowsTheCompactLadderAndWritesItsBlock()
    {
        string json = Path.Combine(_dir, "r.json");
        var (code, stdout, err) = Run("run", "--paths", "256", "--json", json);
        Assert.That(code, Is.Zero, err);
        Assert.That(stdout, Does.Contain("Liquidation ladder (one asset moved alone from the start, 20 levels of 1%"));
        var ladder = GpuCascade.Book.LiquidationLadder.Of(ScenarioLoader.LoadDefault());
        Assert.That(stdout, Does.Contain($"ETH    {GpuCascade.Reporting.SummaryTable.Usd(ladder["ETH"].Down.Within(5)),15}"));
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That(root["ladder"]!["levels"]!.GetValue<int>(), Is.EqualTo(20));
        Assert.That(root["ladder"]!["assets"]!["ETH"]!["up"]!["firstSupercritical"]!.GetValue<int>(), Is.EqualTo(ladder["ETH"].Up.FirstSupercritical));
        Assert.That(root["ladder"]!["assets"]!["BTC"]!["down"]!["notional"]!.AsArray(), Has.Count.EqualTo(21));
        Assert.That(root["ladder"]!["assets"]!["BTC"]!["down"]!["ratio"]![0], Is.Null, "no ratio at the start");
    }
}
