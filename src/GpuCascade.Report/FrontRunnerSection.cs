namespace GpuCascade.Report;

/// <summary>The front-runner of a run (docs/model.md section 10): how often it attacked, its realised and forecast P&amp;L,
/// how often it profited and its P&amp;L's tail, with what a blind one does and how to measure what public levels cost.</summary>
internal static class FrontRunnerSection
{
    /// <summary>The JSON object of its figures (<c>adversary.pnl</c> is <c>"adversary": {"pnl": ...}</c>).</summary>
    public const string Mechanism = "adversary";

    /// <summary>The scenario's <c>venue.adversary</c>, as the manifest records it; null without one (or without a manifest).</summary>
    private static Field? Spec(Field r) => r.Optional("manifest")?.Optional("scenario")?.Optional("venue")?.Optional("adversary");

    /// <summary>Whether the run has a front-runner: it attacked on some path, or the scenario has one (a blind one never
    /// attacks, and that is worth showing too). Every result carries the adversary's figures, zeros without one.</summary>
    public static bool Applies(Field r) =>
        r.Optional(Mechanism) is not null &&
        (r["probabilities"].Optional("adversaryAttack")?.Optional("estimate") is { } attack && attack.Number > 0 || Spec(r) is not null);

    public static void Write(ReportBuilder b, Field r)
    {
        Field a = r[Mechanism], p = r["probabilities"];
        string Mean(Field f, Unit unit) => Html.Number(f["mean"], unit) + " <span class=\"se\">(s.e. " + Html.Number(f["standardError"], unit) + ")</span>";
        string Probability(Field f) => Html.Number(f["estimate"], Unit.Percent) + " " + Html.Interval(f["lower"], f["upper"], Unit.Percent);
        var facts = new List<(string, string)>();
        var spec = Spec(r);
        if (spec is { } s)
            facts.Add(("the agent", (s.Optional("budget") is { } budget ? "budget " + Html.Number(budget, Unit.Usd) + " USD" : "") +
                                    (s.Optional("sees") is { } sees ? ", sees " + Html.Text(sees) : "")));
        facts.Add(("attack frequency: P(it attacks on a path)", Probability(p["adversaryAttack"])));
        facts.Add(("mean attacks per path (steps it attacked in)", Mean(a["attacks"], Unit.Statistic)));
        facts.Add(("mean realised P&L per path", Mean(a["pnl"], Unit.Usd)));
        facts.Add(("mean forecast P&L per path", Mean(a["forecastPnl"], Unit.Usd)));
        facts.Add(("P(profit): its P&L > 0 on a path", Probability(p["adversaryProfit"])));
        Html.Facts(b.Html, facts);
        Tail(b, a["pnl"]);
        bool blind = spec?.Optional("sees") is { } s2 && s2.Text == "blind";
        b.Note((blind ? "This front-runner is blind. " : "") +
               "A blind front-runner (sees: blind, private margins) cannot compute the forced sales a push would set off: its forecast of every push " +
               "is the round trip's own, which the cap on a push makes negative, so it never attacks and the book fares as without it. " +
               "What public liquidation levels cost the venue is this run against one without the agent: " +
               "gpucascade compare SCENARIO --vary venue.adversary.budget=1," + (spec?.Optional("budget") is { } b2 ? Html.JsonNumber(b2.Element) : "B") +
               " pairs them on the same paths (a budget of 1 USD reaches nothing); its bad debt and cascade figures are the run's above (docs/model.md section 10).");
    }

    /// <summary>Its P&amp;L's tail: VaR and ES at every level the result has, with their intervals, as the losses' table.</summary>
    private static void Tail(ReportBuilder b, Field pnl)
    {
        if (pnl.Optional("var") is not { } var) return;
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "mean", Html.Number(pnl["mean"], Unit.Usd), "s.e. " + Html.Number(pnl["standardError"], Unit.Usd) },
        };
        foreach (var (kind, label, values) in new[] { ("var", "VaR", var), ("es", "ES", pnl["es"]) })
            foreach (var (level, value) in values.Members)
                rows.Add([$"{label} {RunSection.Level(level)}", Html.Number(value, Unit.Usd),
                          Html.Interval(pnl[kind + "Interval"][level]["lower"], pnl[kind + "Interval"][level]["upper"], Unit.Usd)]);
        Html.Table(b.Html, ["the front-runner's P&L (USD per path)", "value", "95% interval"], rows);
        b.Note("The P&L's tail is its upper tail, as for a loss: VaR at level a is the ceil(n a)-th smallest P&L per path, ES the mean of the " +
               "largest ceil(n (1 - a)): what it makes on its best paths.");
    }
}
