using GpuCascade.Cli;
using GpuCascade.Cli.Shared;
using GpuCascade.Tests.Cli;
using static GpuCascade.Tests.Report.ReportTestSupport;

namespace GpuCascade.Tests.Report;

/// <summary><c>gpucascade report</c> and the <c>--report</c>/<c>--plots</c> options of run, compare, calibrate and backtest.</summary>
public class ReportCliTests : CliTestBase
{
    private string F(string name) => Path.Combine(_dir, name);

    [Test]
    public void ReportWritesThePageAndThePlots()
    {
        var (code, _, err) = Run("run", "--paths", "1024", "--quiet", "--json", F("r.json"), "--series", F("s.json"));
        Assert.That(code, Is.Zero, err);
        string output;
        (code, output, err) = Run("report", F("r.json"), "--series", F("s.json"), "--out", F("r.html"), "--plots", F("plots"));
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("report: ").And.Contain("9 charts"), "the liquidation ladder is the ninth");
        AssertNumbersMatch(File.ReadAllText(F("r.html")), File.ReadAllText(F("r.json")), File.ReadAllText(F("s.json")));
        Assert.That(Directory.GetFiles(F("plots"), "*.png").Select(Path.GetFileName), Has.Member("bad-debt-exceedance.png").And.Member("price-fan-sol.png").And.Member("liquidation-ladder.png"));
        Assert.That(Directory.GetFiles(_dir, ".*.tmp"), Is.Empty, "written atomically, no temporary file left");
    }

    /// <summary>run --report renders the result's JSON document: the same page as 'report' on its --json file.</summary>
    [Test]
    public void RunReportIsThePageOfItsJson()
    {
        var (code, _, err) = Run("run", "--paths", "1024", "--quiet", "--json", F("r.json"), "--series", F("s.json"), "--report", F("direct.html"), "--plots", F("p"));
        Assert.That(code, Is.Zero, err);
        (code, _, err) = Run("report", F("r.json"), "--series", F("s.json"), "--out", F("later.html"));
        Assert.That(code, Is.Zero, err);
        Assert.That(File.ReadAllText(F("direct.html")), Is.EqualTo(File.ReadAllText(F("later.html"))));
        Assert.That(Directory.GetFiles(F("p"), "*.png"), Has.Length.EqualTo(9));
    }

    /// <summary>backtest --report renders the backtest's JSON document: the same page as 'report' on its --json file, and
    /// --plots writes the exceedance chart.</summary>
    [Test]
    public void BacktestReportIsThePageOfItsJson()
    {
        File.WriteAllText(F("prices.csv"), PriceCsv());
        var (code, output, err) = Run("backtest", "--prices", $"BTC={F("prices.csv")}", "--margin", "ewma", "--json", F("b.json"), "--report", F("direct.html"),
            "--plots", F("p"));
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("Margin backtest of BTC"), "the table still goes to stdout");
        (code, _, err) = Run("report", F("b.json"), "--out", F("later.html"));
        Assert.That(code, Is.Zero, err);
        string direct = File.ReadAllText(F("direct.html"));
        Assert.That(direct, Does.Contain("data-chart=\"backtest-exceedances\""));
        Assert.That(direct, Is.EqualTo(File.ReadAllText(F("later.html"))));
        AssertNumbersMatch(direct, File.ReadAllText(F("b.json")));
        Assert.That(Directory.GetFiles(F("p"), "*.png").Select(Path.GetFileName), Is.EqualTo(new[] { "backtest-exceedances.png" }));
        // Without --json the page is the same document's, named after the price file.
        (code, _, err) = Run("backtest", "--prices", $"BTC={F("prices.csv")}", "--margin", "ewma", "--report", F("alone.html"));
        Assert.That(code, Is.Zero, err);
        Assert.That(File.ReadAllText(F("alone.html")), Does.Contain($"<strong>BTC={F("prices.csv")}</strong> (a margin backtest)"));
        Assert.That(Directory.GetFiles(_dir, ".*.tmp"), Is.Empty, "written atomically, no temporary file left");
    }

    [Test]
    public void CompareAndCalibrateWriteTheirReports()
    {
        var (code, _, err) = Run("compare", "--vary", "venue.insuranceFund=0,1e9", "--paths", "1024", "--quiet", "--report", F("cmp.html"));
        Assert.That(code, Is.Zero, err);
        Assert.That(File.ReadAllText(F("cmp.html")), Does.Contain("Variant 2 minus variant 1").And.Contain("data-chart=\"comparison-differences\""));
        File.WriteAllText(F("single.yaml"), Calibration.CalibrationScenarios.SingleLong(1024));
        (code, _, err) = Run("calibrate", F("single.yaml"), "--vary", "venue.maintenanceMargin=0.02..0.25", "--target", "probabilities.anyLiquidation<=0.05",
            "--grid", "3", "--resolution", "0.05", "--quiet", "--json", F("cal.json"), "--report", F("cal.html"), "--plots", F("plots"));
        Assert.That(code, Is.Zero, err);
        string html = File.ReadAllText(F("cal.html"));
        Assert.That(html, Does.Contain("Response curve").And.Contain("Margin table"));
        AssertNumbersMatch(html, File.ReadAllText(F("cal.json")));
        Assert.That(File.Exists(F("plots/response-curve-probabilities-anyliquidation.png")), Is.True);
    }

    [Test]
    public void BadDocumentsExitTwoNamingTheFile()
    {
        File.WriteAllText(F("broken.json"), "{\"paths\": ");
        File.WriteAllText(F("other.json"), "{\"name\": \"not a result\"}");
        File.WriteAllText(F("series.json"), SeriesJson);
        foreach (var (args, message) in new (string[], string)[]
                 {
                     (["report", F("missing.json"), "--out", F("x.html")], $"error: JSON file not found: {F("missing.json")}"),
                     (["report", F("broken.json"), "--out", F("x.html")], $"error: {F("broken.json")}: not valid JSON"),
                     (["report", F("other.json"), "--out", F("x.html")], $"error: {F("other.json")}: not a GpuCascade result"),
                     (["report", F("series.json"), "--out", F("x.html")], $"error: {F("series.json")}: is a series (run --series), not a result"),
                     (["report", F("series.json"), "--out", F("series.json")], "--out: " + F("series.json") + " is the result file"),
                     (["report", F("broken.json")], "--out"),
                     (["report", "--out", F("x.html")], "RESULT"),
                 })
        {
            var (code, _, err) = Run(args);
            Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), string.Join(" ", args));
            Assert.That(err, Does.Contain(message), string.Join(" ", args));
        }
        Assert.That(File.Exists(F("x.html")), Is.False);
    }

    [Test]
    public void ReportOptionsAreCheckedBeforeTheRun()
    {
        File.WriteAllText(F("file"), "");
        foreach (var (args, message) in new (string[], string)[]
                 {
                     (["run", "--report", "-"], "--report: needs a file, not stdout"),
                     (["run", "--plots", F("file")], "--plots: " + F("file") + " is a file"),
                     (["run", "--plots", F("file/plots/")], "--plots: " + F("file") + " is a file, so"),
                     (["run", "--json", F("same.html"), "--report", F("same.html")], "--json and --report both write"),
                     (["run", "--shard", "0/2", "--partial", F("p.bin"), "--report", F("r.html")], "--report: a shard has no result of its own"),
                     (["compare", "--vary", "venue.insuranceFund=0,1", "--report", "-"], "--report: needs a file"),
                     (["backtest", "--prices", F("file"), "--margin", "ewma", "--report", "-"], "--report: needs a file, not stdout"),
                     (["backtest", "--prices", F("file"), "--margin", "ewma", "--plots", F("file")], "--plots: " + F("file") + " is a file"),
                     (["backtest", "--prices", F("file"), "--margin", "ewma", "--json", F("b.html"), "--report", F("b.html")], "--json and --report both write"),
                 })
        {
            var (code, output, err) = Run(args);
            Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), string.Join(" ", args));
            Assert.That(err, Does.Contain(message), string.Join(" ", args));
            Assert.That(output, Is.Empty, "nothing ran");
        }
    }

    [Test]
    public void ReportHasHelpWithExamplesAndTheOtherCommandsTheOptions()
    {
        var (code, output, _) = Run("report", "--help");
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("gpucascade report").And.Contain("--series").And.Contain("--plots").And.Contain("Examples:"));
        foreach (string command in new[] { "run", "compare", "calibrate", "backtest" })
            Assert.That(Run(command, "--help").Out, Does.Contain("--report").And.Contain("--plots"), command);
        Assert.That(Run("rnu").Err, Does.Contain("(expected run, compare, calibrate, merge, devices, selftest, bench, scenario, report, fit, book, backtest or nowcast)"));
    }
}
