namespace GpuCascade.Cli.Commands.Backtest;

/// <summary>Parsed arguments of <c>gpucascade backtest</c>.</summary>
internal sealed record BacktestArguments
{
    public required string Prices { get; init; }
    public required string Margin { get; init; }
    public double Confidence { get; init; } = 0.99;
    public int HorizonDays { get; init; } = 2;
    public string? CsvPath { get; init; }
    public string? JsonPath { get; init; }
    public string? ReportPath { get; init; }
    public string? PlotsDirectory { get; init; }
}

/// <summary>The <c>backtest</c> command: a price file and a margin rule in, the coverage tests and procyclicality out.</summary>
internal static class BacktestDefinition
{
    public static Command Create(CommandTree tree, Func<BacktestArguments, int> backtest)
    {
        var prices = new Option<string>("--prices") { Description = "the daily (or finer) price file of one asset; SYMBOL=FILE names it", HelpName = "FILE", Required = true };
        var margin = new Option<string>("--margin")
        {
            Description = "the margin rule: fixed:F (a fraction of notional), ewma[:LAMBDA] (the log move z sigma_EWMA sqrt(horizon), LAMBDA [0.94]) or table:FILE (the margin table of a calibrate --regimes ... --json result, by the EWMA volatility's nearest regime)",
            HelpName = "RULE",
            Required = true,
        };
        var confidence = new Option<double>("--confidence") { Description = "the confidence each side's margin aims at, in (0.5, 1) [0.99]", DefaultValueFactory = _ => 0.99, HelpName = "C" };
        var horizon = new Option<TimeSpan>("--horizon")
        {
            Description = "the close-out horizon, whole days [2d]",
            HelpName = "DURATION",
            DefaultValueFactory = _ => TimeSpan.FromDays(2),
            CustomParser = r => PriceArguments.Duration(r, "--horizon"),
        };
        var csv = new Option<string?>("--csv") { Description = "write each day's margin, move and exceedances, with and without each tool, as CSV ('-' for stdout)", HelpName = "FILE" };
        var json = new Option<string?>("--json") { Description = "write the tests, the procyclicality and each window's margins and exceedances as JSON ('-' for stdout)", HelpName = "FILE" };
        var report = new Option<string?>("--report")
        {
            Description = "write the HTML report of the backtest to FILE: the tests, the procyclicality and the exceedance chart (the page 'gpucascade report' makes of the --json file)",
            HelpName = "FILE",
        };
        var plots = ReportOutputs.PlotsOption();
        var command = new Command("backtest",
            "Backtest a margin rule on a price file: exceedances against the move over the close-out horizon for a long and a short, Kupiec's and Christoffersen's tests, the Basel traffic light, and procyclicality with and without EMIR's anti-procyclicality tools.")
            { prices, margin, confidence, horizon, csv, json, report, plots };
        tree.Examples[command] = """
              gpucascade backtest --prices Binance_BTCUSDT_d.csv --margin ewma --confidence 0.99 --horizon 2d
              gpucascade backtest --prices Binance_ETHUSDT_d.csv --margin fixed:0.15 --csv eth-backtest.csv
              gpucascade backtest --prices Binance_BTCUSDT_d.csv --margin table:calibration.json      (calibrate --regimes ... --json)
              gpucascade backtest --prices Binance_BTCUSDT_d.csv --margin ewma --json btc-backtest.json --report btc-backtest.html
              gpucascade backtest --prices Binance_BTCUSDT_d.csv --margin ewma --plots plots/      (plots/backtest-exceedances.png)
            """;
        command.SetAction(r =>
        {
            var h = r.GetValue(horizon);
            if (h.TotalDays < 1 || h.TotalDays % 1 != 0) throw new UsageException($"--horizon: must be a whole number of days, got {h}");
            return backtest(new BacktestArguments
            {
                Prices = r.GetValue(prices)!,
                Margin = r.GetValue(margin)!,
                Confidence = r.GetValue(confidence),
                HorizonDays = (int)h.TotalDays,
                CsvPath = r.GetValue(csv),
                JsonPath = r.GetValue(json),
                ReportPath = r.GetValue(report),
                PlotsDirectory = r.GetValue(plots),
            });
        });
        return command;
    }
}
