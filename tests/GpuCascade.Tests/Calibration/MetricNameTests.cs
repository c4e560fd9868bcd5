using System.Globalization;
using System.Text.Json;
using GpuCascade.Calibration;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Calibration;

/// <summary>One name per figure: the CSV's <c>metric.statistic</c> is the figure's path in the JSON, and every
/// <c>--target</c> metric is one of the CSV's names with the JSON's value.</summary>
public class MetricNameTests
{
    private static readonly Lazy<RunResult> Result = new(() =>
        SimulationEngine.Run(ScenarioLoader.LoadDefault(), new RunOptions { Paths = 2048, Seed = 3 }));

    private static List<(string Metric, string Statistic, string Value)> CsvRows() =>
        ResultCsv.Serialize(Result.Value).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(',')).Where(f => f.Length == 5).Select(f => (f[0], f[1], f[2])).ToList();

    /// <summary>The JSON element at a dotted path; keys such as 0.99 hold a dot, so the longest matching key wins.</summary>
    private static JsonElement? At(JsonElement root, string path)
    {
        var element = root;
        string rest = path;
        while (rest.Length > 0)
        {
            if (element.ValueKind != JsonValueKind.Object) return null;
            var match = element.EnumerateObject().Where(p => rest == p.Name || rest.StartsWith(p.Name + ".", StringComparison.Ordinal))
                .OrderByDescending(p => p.Name.Length).Select(p => (JsonProperty?)p).FirstOrDefault();
            if (match is not { } property) return null;
            element = property.Value;
            rest = rest.Length == property.Name.Length ? "" : rest[(property.Name.Length + 1)..];
        }
        return element;
    }

    [Test]
    public void EveryCsvNameIsTheFiguresPathInTheJson()
    {
        using var json = JsonDocument.Parse(ResultJson.Serialize(Result.Value));
        var rows = CsvRows().Where(r => !r.Metric.StartsWith("cohortAttribution.", StringComparison.Ordinal)).ToList();
        Assert.That(rows, Has.Count.GreaterThan(40));
        foreach (var (metric, statistic, value) in rows)
        {
            // A figure with one value (paths, seed, counts, amplification: statistic "value" or "count") is the metric
            // itself; every other statistic is a field of the metric's object.
            var element = At(json.RootElement, $"{metric}.{statistic}")
                          ?? (statistic is "value" or "count" ? At(json.RootElement, metric) : null);
            Assert.That(element, Is.Not.Null, $"CSV {metric},{statistic} has no JSON path {metric}.{statistic}");
            if (element!.Value.ValueKind == JsonValueKind.Number && value.Length > 0)
                Assert.That(element.Value.GetRawText() == value
                            || element.Value.GetDouble().Equals(double.Parse(value, CultureInfo.InvariantCulture)), $"{metric}.{statistic}");
        }
    }

    [Test]
    public void EveryTargetMetricIsACsvNameWithTheSameValue()
    {
        var rows = CsvRows();
        foreach (var metric in RiskMetric.All)
        {
            string name = metric.Name;
            var row = rows.Where(r => r.Metric == name && r.Statistic == "estimate" || $"{r.Metric}.{r.Statistic}" == name).ToList();
            Assert.That(row, Has.Count.EqualTo(1), $"--target {name} has no CSV row");
            Assert.That(double.Parse(row[0].Value, CultureInfo.InvariantCulture), Is.EqualTo(metric.Read(Result.Value).Estimate), name);
        }
        Assert.That(rows.Select(r => r.Metric), Has.None.StartsWith("probability."), "the JSON's probabilities.*, not probability.*");
    }
}
