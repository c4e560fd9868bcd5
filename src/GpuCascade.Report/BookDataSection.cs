namespace GpuCascade.Report;

/// <summary>The section of a book from positioning data (<c>book --json</c>): the data files, per asset what was taken
/// (open interest, long share, the liquidation map's cohorts and USD, the levels left out, the order book's depth), and
/// the resulting scenario's liquidation ladder, drawn as the run section draws a run's.</summary>
internal static class BookDataSection
{
    public static void Write(ReportBuilder b, ReportDocument d)
    {
        var r = d.Root;
        var files = r["files"].Items.ToList();
        Html.Facts(b.Html,
        [
            ("data files", files.Count == 0 ? "not recorded" : string.Join("<br>", files.Select(f => "<code>" + Html.Text(f) + "</code>"))),
            ("taken at", r.Optional("at") is { } at ? Html.Text(at) + " (each series' value and the snapshot at or before it)" : "the last value of each series and the last snapshot"),
        ]);

        b.Heading(3, "Positioning");
        Html.Table(b.Html, ["asset", "open interest", "long share", "map cohorts", "map longs", "map shorts", "levels left out", "depth per 1%", "bids within 1%", "asks within 1%", "mid", "snapshot (UTC)"],
            r["positioning"].Items.Select(p =>
            {
                var depth = p.Optional("depth");
                return (IReadOnlyList<string>)
                [
                    Html.Text(p["symbol"]),
                    Html.Number(p["openInterest"], Unit.Usd), Html.Number(p["longShare"], Unit.Percent),
                    Html.Number(p["mapCohorts"], Unit.Count), Html.Number(p["mapLongUsd"], Unit.Usd), Html.Number(p["mapShortUsd"], Unit.Usd),
                    Html.Number(p["mapLevelsBeyondPrice"], Unit.Count),
                    .. depth is { } dp
                        ? new[] { Html.Number(dp["depth1pct"], Unit.Usd), Html.Number(dp["bidUsd"], Unit.Usd), Html.Number(dp["askUsd"], Unit.Usd), Html.Number(dp["mid"], Unit.Plain),
                                  dp.Optional("time") is { } t ? Html.Text(t) : "not timed" }
                        : new[] { "n/a", "n/a", "n/a", "n/a", "n/a" },
                ];
            }), caption: "What each asset's files gave: open interest and long share size the generated book; a liquidation map becomes one cohort per level and side " +
                         "(levels already past the price left out); the order book's depth per 1% is the mean of the bids' and the asks' USD within 1% of the mid. n/a: no such file",
            cssClass: "wide");

        b.Heading(3, "Liquidation ladder");
        RunSection.Ladder(b, r["ladder"], afterRun: false);
    }
}
