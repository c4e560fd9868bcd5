using System.Diagnostics;
using System.Text.Json;
using GpuCascade.Report;
using Microsoft.Playwright;
using static GpuCascade.Tests.Report.ReportTestSupport;

namespace GpuCascade.Tests.Report;

/// <summary>
/// The report as a person sees it: opened from disk in headless Chromium (the system's, through Playwright's driver;
/// nothing is downloaded). No console or page error, no request but the file itself, every chart drawn, and every
/// number on the page equal to its JSON field. A full-page screenshot is attached to the test.
/// </summary>
[NonParallelizable]
public class ReportBrowserTests
{
    private static string Chromium => Environment.GetEnvironmentVariable("GPUCASCADE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [Test]
    [CancelAfter(120_000)]
    public async Task TheReportOpensInChromiumWithEveryChartAndNumber()
    {
        if (!File.Exists(Chromium)) Assert.Ignore($"no Chromium at {Chromium} (install Debian's chromium, or set GPUCASCADE_CHROMIUM to a Chromium binary)");
        var clock = Stopwatch.StartNew();
        string[] documents = [RunJson, SeriesJson];
        var report = HtmlReport.Build([new ReportInput("run.json", RunJson)], new ReportInput("series.json", SeriesJson));
        string directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "report-browser");
        Directory.CreateDirectory(directory);
        string file = Path.Combine(directory, "report.html");
        report.Write(file);
        string url = new Uri(file).AbsoluteUri;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Args = ["--no-sandbox"], Headless = true,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        var errors = new List<string>();
        var requests = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning") errors.Add($"console {m.Type}: {m.Text}");
        };
        page.PageError += (_, e) => errors.Add($"page error: {e}");
        page.Request += (_, r) => requests.Add(r.Url);
        var response = await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Assert.That(response?.Ok ?? true, Is.True);

        // Every chart: one inline <svg> with a size on the page.
        var charts = await page.Locator("[data-chart]").AllAsync();
        Assert.That(charts, Has.Count.EqualTo(report.Charts.Count));
        foreach (var chart in charts)
        {
            string name = (await chart.GetAttributeAsync("data-chart"))!;
            Assert.That(await chart.Locator("svg").CountAsync(), Is.EqualTo(1), name);
            var box = await chart.Locator("svg").BoundingBoxAsync();
            Assert.That(box, Is.Not.Null, name);
            Assert.That((box!.Width, box.Height), Is.Not.EqualTo((0f, 0f)), name);
            Assert.That(box.Width, Is.GreaterThan(100), name);
            Assert.That(box.Height, Is.GreaterThan(100), name);
        }

        // Every number as the browser shows it, read back from the DOM and checked against the JSON documents.
        var shown = await page.EvaluateAsync<JsonElement>("""
            () => [...document.querySelectorAll('[data-json]')].map(e => ({
                doc: Number(e.closest('[data-doc]').dataset.doc), json: e.dataset.json, value: e.dataset.value ?? null, text: e.textContent,
                shown: e.dataset.shown ?? null }))
            """);
        var roots = documents.Select(d => JsonDocument.Parse(d).RootElement).ToList();
        var values = shown.EnumerateArray().Select(e => new Shown(e.GetProperty("doc").GetInt32(), e.GetProperty("json").GetString()!,
            e.GetProperty("value").ValueKind == JsonValueKind.String ? e.GetProperty("value").GetString() : null, e.GetProperty("text").GetString()!,
            e.GetProperty("shown").ValueKind == JsonValueKind.String ? e.GetProperty("shown").GetString() : null)).ToList();
        var mismatches = values.Select(v => Mismatch(v, roots)).OfType<string>().ToList();
        Assert.That(mismatches, Is.Empty);
        Assert.That(values.Count(v => v.Value is not null), Is.GreaterThan(100));
        Assert.That(values.Select(v => v.Doc).Distinct(), Is.EquivalentTo(new[] { 0, 1 }), "numbers of the run and of its series");

        string screenshot = Path.Combine(directory, "report.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.AddTestAttachment(screenshot, "the report, full page, in headless Chromium");

        Assert.That(errors, Is.Empty, "console and page errors");
        Assert.That(requests, Is.EqualTo(new[] { url }), "no request but the file itself");
        TestContext.Out.WriteLine($"{charts.Count} charts, {values.Count} values checked in {clock.Elapsed.TotalSeconds:0.0} s; screenshot {screenshot}");
    }

    /// <summary>At a 1,400 px window the table of the cohorts behind the tail fits its card: neither the table's box nor
    /// the card scrolls sideways, and the table ends inside the card.</summary>
    [Test]
    [CancelAfter(120_000)]
    public async Task TheCohortsTableFitsItsCardAt1400Pixels()
    {
        if (!File.Exists(Chromium)) Assert.Ignore($"no Chromium at {Chromium} (install Debian's chromium, or set GPUCASCADE_CHROMIUM to a Chromium binary)");
        var report = HtmlReport.Build([new ReportInput("run.json", RunJson)], new ReportInput("series.json", SeriesJson));
        string directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "report-browser-1400");
        Directory.CreateDirectory(directory);
        string file = Path.Combine(directory, "report.html");
        report.Write(file);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Args = ["--no-sandbox"], Headless = true,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var fit = await page.EvaluateAsync<JsonElement>("""
            () => {
                const table = [...document.querySelectorAll('table')].find(t => t.caption && t.caption.textContent.includes('cohorts with the largest share'));
                if (!table) return null;
                const wrap = table.parentElement, card = table.closest('section.doc');
                return { wrapScroll: wrap.scrollWidth, wrapClient: wrap.clientWidth, cardScroll: card.scrollWidth, cardClient: card.clientWidth,
                         tableRight: table.getBoundingClientRect().right, cardRight: card.getBoundingClientRect().right };
            }
            """);
        Assert.That(fit.ValueKind, Is.EqualTo(JsonValueKind.Object), "the report has the table of the cohorts behind the tail");
        double Get(string name) => fit.GetProperty(name).GetDouble();
        TestContext.Out.WriteLine(fit.ToString());
        Assert.That(Get("wrapScroll"), Is.LessThanOrEqualTo(Get("wrapClient")), "the table does not scroll sideways in its box");
        Assert.That(Get("cardScroll"), Is.LessThanOrEqualTo(Get("cardClient")), "the card does not overflow");
        Assert.That(Get("tableRight"), Is.LessThanOrEqualTo(Get("cardRight")), "the table ends inside its card");
    }
}
