using GpuCascade.Cli.Shared;

namespace GpuCascade.Cli.Commands.Book;

/// <summary>Parsed arguments of <c>gpucascade book</c>: each data file as <c>SYMBOL=FILE</c>.</summary>
internal sealed record BookArguments
{
    public IReadOnlyList<string> OpenInterest { get; init; } = [];
    public IReadOnlyList<string> LongShare { get; init; } = [];
    public IReadOnlyList<string> LiquidationMap { get; init; } = [];
    public IReadOnlyList<string> Depth { get; init; } = [];
    public string? BasePath { get; init; }
    public string? OutPath { get; init; }
    public DateTimeOffset? At { get; init; }
    public double AccountsPerCohort { get; init; } = 1000;
    public string? JsonPath { get; init; }
    public string? ReportPath { get; init; }
    public string? PlotsDirectory { get; init; }
}

/// <summary>The <c>book</c> command: positioning and depth files in, a scenario with the book and depth they give out.</summary>
internal static class BookDefinition
{
    public static Command Create(CommandTree tree, Func<BookArguments, int> book)
    {
        Option<string[]> Files(string name, string what) => new(name)
        {
            Description = $"{what}, SYMBOL=FILE (repeat the option for each asset)", HelpName = "SYMBOL=FILE",
            AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.ZeroOrMore,
        };
        var openInterest = Files("--open-interest", "open interest in USD over time (time, openInterestUsd or Binance's sumOpenInterestValue): the generator's open interest");
        var longShare = Files("--long-short", "the long share over time (time, longShare or longAccount, or longShortRatio): the generator's long share");
        var map = Files("--liquidation-map", "a liquidation map (price, longUsd, shortUsd): one cohort per level and side, liquidated exactly at its level; replaces the asset's generated book");
        var depth = Files("--depth", "order-book snapshots (side, price, size or usd, optional time): the asset's depth1pct, the mean USD within 1% of the mid of the bids and the asks");
        var baseScenario = new Option<string?>("--base") { Description = "the scenario the data change [the embedded default]", HelpName = "SCENARIO" };
        var output = new Option<string?>("--out") { Description = "write the scenario to FILE (YAML) and print what was taken; without it the scenario goes to stdout", HelpName = "FILE" };
        var at = new Option<DateTimeOffset?>("--at")
        {
            Description = "take each series' value and the snapshot at or before this time (a date or UTC date-time) [the last]",
            HelpName = "TIME",
            CustomParser = r => OptionParsing.Parse(r, text => Prices.PriceFile.ParseTime(text)
                ?? throw new UsageException($"--at: expected a date or a UTC date-time such as 2025-10-10T20:00:00Z, got {Operations.Echo.Quote(text)}")),
        };
        var accounts = new Option<double>("--accounts-per-cohort")
            { Description = "accounts each liquidation-map cohort stands for (tiers apply per account) [1000]", DefaultValueFactory = _ => 1000, HelpName = "N" };
        var json = new Option<string?>("--json")
            { Description = "write what was taken per asset and the scenario's liquidation ladder as JSON ('-' for stdout, with --out FILE)", HelpName = "FILE" };
        var report = new Option<string?>("--report")
        {
            Description = "write the HTML report to FILE: what was taken per asset and the liquidation ladder (the page 'gpucascade report' makes of the --json file)",
            HelpName = "FILE",
        };
        var plots = ReportOutputs.PlotsOption();
        var command = new Command("book",
            "Set a scenario's book and depth from positioning data: open interest and the long share size the generated book, a liquidation map becomes cohorts liquidated at its levels, an order-book snapshot gives the depth per 1%.")
            { openInterest, longShare, map, depth, baseScenario, output, at, accounts, json, report, plots };
        tree.Examples[command] = """
              gpucascade book --open-interest BTC=btc-oi.csv --long-short BTC=btc-ls.csv --depth BTC=btc-book.csv --base venue.yaml --out today.yaml
              gpucascade book --liquidation-map BTC=btc-heatmap.csv --depth BTC=btc-book.csv --at 2025-10-10T20:00:00Z --out crash-book.yaml
              gpucascade scenario check today.yaml --ladder           (what liquidates per 1% move, against the depth)
              gpucascade book --liquidation-map BTC=btc-heatmap.csv --depth BTC=btc-book.csv --out crash-book.yaml --json book.json --report book.html
              gpucascade book --open-interest BTC=btc-oi.csv --base venue.yaml --out today.yaml --plots plots/      (plots/liquidation-ladder.png)
              gpucascade run today.yaml
            """;
        command.SetAction(r => book(new BookArguments
        {
            OpenInterest = r.GetValue(openInterest) ?? [],
            LongShare = r.GetValue(longShare) ?? [],
            LiquidationMap = r.GetValue(map) ?? [],
            Depth = r.GetValue(depth) ?? [],
            BasePath = r.GetValue(baseScenario),
            OutPath = r.GetValue(output),
            At = r.GetValue(at),
            AccountsPerCohort = r.GetValue(accounts),
            JsonPath = r.GetValue(json),
            ReportPath = r.GetValue(report),
            PlotsDirectory = r.GetValue(plots),
        }));
        return command;
    }
}
