using System.Text.Json;
using GpuCascade.Calibration;
using GpuCascade.MarketData;
using GpuCascade.Operations;
using GpuCascade.Reporting;

namespace GpuCascade.Report;

/// <summary>
/// One JSON document for the report: a result of <c>gpucascade run --json</c>, <c>calibrate --json</c>,
/// <c>compare --json</c>, <c>backtest --json</c>, <c>fit --json</c> or <c>book --json</c>, or a series of <c>run --series FILE.json</c>. The kind is told from the document's fields when
/// the report is built; <see cref="Source"/> names the document in every error.
/// </summary>
/// <param name="Source">The file name (or a description such as "run result") that errors and the report name.</param>
/// <param name="Json">The document's text.</param>
public sealed record ReportInput(string Source, string Json)
{
    /// <summary>Reads <paramref name="path"/>; a missing, unreadable, irregular (a device, a pipe) or oversized file
    /// (over <see cref="InputFile.MaxJsonBytes"/>) is a <see cref="ReportException"/> naming it.</summary>
    public static ReportInput FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new ReportInput(path, InputFile.ReadText(path, "JSON file", InputFile.MaxJsonBytes));
        }
        catch (InputFileException e)
        {
            throw new ReportException(e.Message);
        }
    }

    /// <summary>A run's result, as <c>run --json</c> writes it.</summary>
    public static ReportInput From(RunResult result, string source = "run result")
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ReportInput(source, ResultJson.Serialize(result));
    }

    /// <summary>A run's outputs over time, as <c>run --series FILE.json</c> writes them.</summary>
    public static ReportInput From(SeriesResult series, string source = "series")
    {
        ArgumentNullException.ThrowIfNull(series);
        return new ReportInput(source, SeriesFiles.SeriesJson(series));
    }

    /// <summary>A calibration, as <c>calibrate --json</c> writes it.</summary>
    public static ReportInput From(CalibrationResult calibration, string source = "calibration")
    {
        ArgumentNullException.ThrowIfNull(calibration);
        return new ReportInput(source, CalibrationReport.Json(calibration));
    }

    /// <summary>A comparison, as <c>compare --json</c> writes it.</summary>
    public static ReportInput From(ComparisonResult comparison, string source = "comparison")
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return new ReportInput(source, ComparisonReport.Json(comparison));
    }

    /// <summary>A margin backtest, as <c>backtest --json</c> writes it.</summary>
    public static ReportInput From(BacktestResult backtest, string source = "backtest")
    {
        ArgumentNullException.ThrowIfNull(backtest);
        return new ReportInput(source, BacktestJson.Serialize(backtest));
    }

    /// <summary>Parses the text; invalid JSON is a <see cref="ReportException"/> naming the source and the position.</summary>
    internal JsonDocument Parse()
    {
        try
        {
            return JsonDocument.Parse(Json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new ReportException($"{Source}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}");
        }
    }
}

/// <summary>A document the report cannot use: a missing or unreadable file, invalid JSON, a document that is not a
/// GpuCascade result, or one that lacks a field. The message names the document and what is wrong.</summary>
public sealed class ReportException : Exception
{
    /// <summary>An exception with <paramref name="message"/>.</summary>
    public ReportException(string message) : base(message) { }

    /// <summary>An exception with <paramref name="message"/> and its cause.</summary>
    public ReportException(string message, Exception inner) : base(message, inner) { }

    /// <summary>An exception without a message (for serialisers).</summary>
    public ReportException() { }
}
