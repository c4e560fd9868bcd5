using System.Collections.Immutable;
using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

internal sealed partial class ScenarioBinder
{
    /// <summary><c>venues: [{name, depthShare, venue, book}]</c> and <c>coupling: {sharedDepth, arbitrage: {speed, capital}}</c>
    /// (docs/model.md section 9); the assets, correlation and stress are set when the scenario is assembled.</summary>
    private VenueSetSpec? VenueList(ScenarioNode node, ScenarioNode? coupling)
    {
        string path = VenuesModule.Name;
        if (r.Items(node, path) is not { } items) return null;
        if (items.Count == 0)
        {
            Errors.Add(path, $"must list 2 to {VenueSetSpec.MaxVenues} venues, got none", node);
            return null;
        }
        var venues = ImmutableArray.CreateBuilder<TradingVenue>();
        bool ok = true;
        for (int i = 0; i < items.Count; i++)
        {
            string itemPath = Index(path, i);
            if (r.Map(items[i], itemPath) is not { } m)
            {
                ok = false;
                continue;
            }
            var name = m.Text("name", required: true);
            var share = m.Number("depthShare");
            var venue = m.Required("venue") is { } v ? Venue(v, m.PathOf("venue")) : null;
            var book = m.Required("book") is { } b ? Book(b, m.PathOf("book")) : null;
            m.Done();
            if (name is null || venue is null || book is null)
            {
                ok = false;
                continue;
            }
            venues.Add(new TradingVenue(name, venue, book, share ?? 1.0 / items.Count));
        }
        double shared = 0;
        ArbitrageSpec? arbitrage = null;
        if (coupling is not null && r.Map(coupling, VenuesModule.CouplingName) is { } c)
        {
            shared = c.Number("sharedDepth") ?? 0;
            if (c.Map("arbitrage") is { } a)
            {
                var speed = a.Number("speed", required: true);
                var capital = a.Number("capital");
                var delay = a.Int("delay", min: 0);
                a.Done();
                if (speed is double k) arbitrage = new ArbitrageSpec(k, capital ?? double.PositiveInfinity, delay ?? 0);
                else ok = false;
            }
            c.Done();
        }
        if (!ok || venues.Count == 0) return null;
        return new VenueSetSpec
        {
            Assets = ImmutableArray<AssetSpec>.Empty, Venues = venues.ToImmutable(), SharedDepth = shared, Arbitrage = arbitrage,
        };
    }
}
