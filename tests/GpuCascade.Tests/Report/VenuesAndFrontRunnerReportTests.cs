using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GpuCascade.Report;
using GpuCascade.Tests.Cli;
using static GpuCascade.Tests.Report.ReportTestSupport;

namespace GpuCascade.Tests.Report;

/// <summary>A run's Venues section (several venues, docs/model.md section 9) and its Front-runner section (docs/model.md
/// section 10): each shown with its figures when the result has them and absent otherwise, the venues' and the shown
/// front-runner's means kept out of the generic list of other figures, and the pages of <c>run --report</c> equal to
/// <c>report</c> on the <c>--json</c> file.</summary>
public class VenuesAndFrontRunnerReportTests : CliTestBase
{
    private const string OtherHeading = "<h3>Insurance fund, auto-deleveraging, queue and work</h3>";

    /// <summary>The HTML of the section under <paramref name="heading"/> (an h3), up to the next h3; null when absent.</summary>
    private static string? Section(string html, string heading)
    {
        int start = html.IndexOf(heading, StringComparison.Ordinal);
        if (start < 0) return null;
        int end = html.IndexOf("<h3>", start + heading.Length, StringComparison.Ordinal);
        return html[start..(end < 0 ? html.Length : end)];
    }

    private static HashSet<string> Pointers(string html) => ShownValues(html).Select(s => s.Pointer).ToHashSet();

    private static string Text(string html) => System.Net.WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", ""));

    [Test]
    public void ThreeVenuesGetTheTableOfWhichMovedWhich()
    {
        // Three venues with a common pool: only the first one's book falls far enough to liquidate.
        var scenario = GpuCascade.Scenarios.ScenarioLoader.LoadYaml("""
            horizon: 1h
            steps: 6
            paths: 64
            seed: 1
            cascadeThreshold: 0.01
            assets: [{symbol: BTC, price: 100, volatility: 0.2, depth1pct: 1.0e6}]
            stress: [{step: 0, asset: BTC, logReturn: -0.06}]
            venues:
              - {name: alpha, venue: {maintenanceMargin: 0.05}, book: {cohorts: [{asset: BTC, side: long, notional: 2.0e6, leverage: 10}]}}
              - {name: beta, venue: {maintenanceMargin: 0.05}, book: {cohorts: [{asset: BTC, side: long, notional: 1.0e3, leverage: 1.5}]}}
              - {name: gamma, venue: {maintenanceMargin: 0.05}, book: {cohorts: [{asset: BTC, side: long, notional: 1.0e3, leverage: 1.5}]}}
            coupling: {sharedDepth: 0.5}
            """);
        string json = GpuCascade.Reporting.ResultJson.Serialize(GpuCascade.Simulation.SimulationEngine.Run(scenario));
        string html = HtmlReport.Build([Input("three.json", json)]).Html;
        string venues = Section(html, "<h3>Venues</h3>") ?? throw new AssertionException("no Venues section");
        Assert.That(venues, Does.Contain("Which venue moved which"));
        var shown = ShownValues(venues).Select(v => v.Pointer).ToList();
        Assert.That(shown, Does.Contain("/probabilities/venue1MovedBy0/estimate").And.Contain("/probabilities/venue2MovedBy1/estimate"));
        Assert.That(shown, Does.Not.Contain("/probabilities/venue1MovedBy1/estimate"), "a venue is not moved by itself");
        Assert.That(shown.Where(x => x.Contains("MovedBy3", StringComparison.Ordinal) || x.Contains("venue3", StringComparison.Ordinal)), Is.Empty);
        var two = HtmlReport.Build([Input("tv.json", TwoVenuesJson)]).Html;
        Assert.That(two, Does.Not.Contain("Which venue moved which"), "with two venues it is the moved-by-others column");
    }

    [Test]
    public void SeveralVenuesGetTheirSectionByName()
    {
        var report = HtmlReport.Build([Input("tv.json", TwoVenuesJson)]);
        string venues = Section(report.Html, "<h3>Venues</h3>") ?? throw new AssertionException("no Venues section");
        var shown = ShownValues(venues);
        Assert.That(shown.Where(s => s.Pointer.StartsWith("/venueNames/", StringComparison.Ordinal)).Select(s => s.Text), Is.EqualTo(new[] { "cex", "dex" }));
        var pointers = shown.Select(s => s.Pointer).ToHashSet();
        foreach (int v in new[] { 0, 1 })
        {
            foreach (string e in new[] { "Cascade", "BadDebt", "FundDepleted", "MovedByOthers" })
                Assert.That(pointers, Does.Contain($"/probabilities/venue{v}{e}/estimate").And.Contain($"/probabilities/venue{v}{e}/lower")
                    .And.Contain($"/probabilities/venue{v}{e}/upper"));
            foreach (string m in new[] { "badDebt", "fundEnd", "liquidatedNotional", "importedMove" })
                Assert.That(pointers, Does.Contain($"/venues/v{v}{char.ToUpperInvariant(m[0])}{m[1..]}/mean"));
        }
        Assert.That(pointers.Where(p => p.Contains("/venues/v2", StringComparison.Ordinal) || p.Contains("venue2", StringComparison.Ordinal)), Is.Empty,
            "only the named venues");
        Assert.That(pointers, Does.Contain("/venues/arbitragePnl/mean").And.Contain("/venues/arbitrageTradeSteps/mean")
            .And.Contain("/probabilities/arbitrageCapitalExhausted/estimate"), "the arbitrageurs traded");
        Assert.That(Text(venues), Does.Contain("Moved by others: the move imported from the other venues").And.Contain("Arbitrageurs: mean P&L"));
        Assert.That(report.Charts.Select(c => c.Name), Does.Contain("venue-probabilities"));
        Assert.That(venues, Does.Contain("data-chart=\"venue-probabilities\""));
        Assert.That(Section(report.Html, "<h3>Front-runner</h3>"), Is.Null, "no front-runner in this scenario");
        AssertNumbersMatch(report.Html, TwoVenuesJson);
    }

    [Test]
    public void OneVenueHasNoVenuesSection()
    {
        var report = HtmlReport.Build([Input("run.json", RunJson)]);
        Assert.That(report.Html, Does.Not.Contain("<h3>Venues</h3>"));
        Assert.That(report.Charts.Select(c => c.Name), Does.Not.Contain("venue-probabilities"));
        Assert.That(Pointers(report.Html).Where(p => p.StartsWith("/venues/", StringComparison.Ordinal) || p.StartsWith("/probabilities/venue", StringComparison.Ordinal)
                                                     || p.StartsWith("/probabilities/arbitrage", StringComparison.Ordinal)),
            Is.Empty, "its venue figures are zeros: not shown anywhere");
    }

    [Test]
    public void TheOtherFiguresLeaveOutTheVenues()
    {
        foreach (var (name, json) in new[] { ("one venue", RunJson), ("two venues", TwoVenuesJson) })
        {
            string html = HtmlReport.Render([Input("r.json", json)]);
            string other = Section(html, OtherHeading) ?? throw new AssertionException(name + ": no list of other figures");
            Assert.That(Pointers(other).Where(p => p.StartsWith("/venues/", StringComparison.Ordinal)), Is.Empty, name);
            Assert.That(Text(other), Does.Not.Contain("venue 1").And.Not.Contain("arbitrageurs"), name);
            Assert.That(Pointers(other), Does.Contain("/adl/lossAbsorbed/mean"), name + ": the other mechanisms stay");
            string events = Section(html, "<h3>Event probabilities</h3>")!;
            Assert.That(Pointers(events).Where(p => p.StartsWith("/probabilities/venue", StringComparison.Ordinal)), Is.Empty,
                name + ": the venues' probabilities are in their section, by name");
        }
    }

    [Test]
    public void AFrontRunnerGetsItsSection()
    {
        var root = JsonNode.Parse(FrontRunnerJson)!;
        Assert.That(root["probabilities"]!["adversaryAttack"]!["estimate"]!.GetValue<double>(), Is.GreaterThan(0), "the example's front-runner attacks");
        var report = HtmlReport.Build([Input("fr.json", FrontRunnerJson)]);
        string section = Section(report.Html, "<h3>Front-runner</h3>") ?? throw new AssertionException("no Front-runner section");
        var pointers = Pointers(section);
        Assert.That(pointers, Does.Contain("/probabilities/adversaryAttack/estimate").And.Contain("/probabilities/adversaryAttack/lower")
            .And.Contain("/adversary/attacks/mean").And.Contain("/adversary/pnl/mean").And.Contain("/adversary/pnl/standardError")
            .And.Contain("/adversary/forecastPnl/mean").And.Contain("/probabilities/adversaryProfit/estimate").And.Contain("/probabilities/adversaryProfit/upper")
            .And.Contain("/manifest/scenario/venue/adversary/budget"));
        foreach (string level in new[] { "0.95", "0.99", "0.999" })
            Assert.That(pointers, Does.Contain($"/adversary/pnl/var/{level}").And.Contain($"/adversary/pnl/es/{level}")
                .And.Contain($"/adversary/pnl/varInterval/{level}/lower").And.Contain($"/adversary/pnl/esInterval/{level}/upper"));
        Assert.That(Text(section), Does.Contain("A blind front-runner").And.Contain("never attacks")
            .And.Contain("compare SCENARIO --vary venue.adversary.budget=1,200000000").And.Not.Contain("This front-runner is blind"));
        Assert.That(Pointers(Section(report.Html, OtherHeading)!).Where(p => p.StartsWith("/adversary/", StringComparison.Ordinal)), Is.Empty,
            "its means are in its section");
        Assert.That(report.Html, Does.Not.Contain("<h3>Venues</h3>"));
        AssertNumbersMatch(report.Html, FrontRunnerJson);
    }

    [Test]
    public void TheFrontRunnerSectionNeedsAnAttackOrAFrontRunner()
    {
        string Page(Action<JsonNode> edit)
        {
            var root = JsonNode.Parse(FrontRunnerJson)!;
            edit(root);
            return HtmlReport.Render([Input("fr.json", root.ToJsonString())]);
        }
        static JsonObject Venue(JsonNode root) => root["manifest"]!["scenario"]!["venue"]!.AsObject();

        // Without a front-runner in the scenario: shown while the figures say it attacked, absent when they do not.
        Assert.That(Page(r => Venue(r).Remove("adversary")), Does.Contain("<h3>Front-runner</h3>"));
        string none = Page(r =>
        {
            Venue(r).Remove("adversary");
            r["probabilities"]!["adversaryAttack"]!["estimate"] = 0.0;
        });
        Assert.That(none, Does.Not.Contain("<h3>Front-runner</h3>"));
        Assert.That(Pointers(Section(none, OtherHeading)!), Does.Contain("/adversary/pnl/mean"), "not shown: its means stay in the list");
        // A blind one never attacks, and is shown as what it is.
        string blind = Page(r =>
        {
            Venue(r)["adversary"]!["sees"] = "blind";
            r["probabilities"]!["adversaryAttack"]!["estimate"] = 0.0;
        });
        Assert.That(Text(Section(blind, "<h3>Front-runner</h3>") ?? ""), Does.Contain("This front-runner is blind."));
        // The default scenario has none.
        Assert.That(HtmlReport.Render([Input("run.json", RunJson)]), Does.Not.Contain("<h3>Front-runner</h3>"));
    }

    /// <summary>run --report on the examples is the page 'report' makes of their --json files, byte for byte, and --plots
    /// writes the venues' chart.</summary>
    [TestCase("two-venues", "256", true)]
    [TestCase("front-runner", "128", false)]
    public void RunReportIsThePageOfItsJson(string example, string paths, bool venues)
    {
        string scenario = Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", example + ".yaml");
        string F(string name) => Path.Combine(_dir, name);
        var (code, _, err) = Run("run", scenario, "--paths", paths, "--quiet", "--json", F("r.json"), "--report", F("direct.html"), "--plots", F("p"));
        Assert.That(code, Is.Zero, err);
        (code, _, err) = Run("report", F("r.json"), "--out", F("later.html"));
        Assert.That(code, Is.Zero, err);
        string direct = File.ReadAllText(F("direct.html"));
        Assert.That(direct, Is.EqualTo(File.ReadAllText(F("later.html"))));
        Assert.That(direct, Does.Contain(venues ? "<h3>Venues</h3>" : "<h3>Front-runner</h3>"));
        Assert.That(File.Exists(F("p/venue-probabilities.png")), Is.EqualTo(venues));
        AssertNumbersMatch(direct, File.ReadAllText(F("r.json")));
    }
}
