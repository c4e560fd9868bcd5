using System.Collections.Immutable;
using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

/// <summary>
/// Binds a <see cref="ScenarioNode"/> tree (from YAML or JSON) to a <see cref="Scenario"/>. It checks types,
/// keys, references and the file's shorthand forms; value ranges are the validator's job, so a scenario
/// from a file and one built in code are judged by the same rules.
/// </summary>
internal sealed partial class ScenarioBinder(string? baseDirectory = null)
{
    private readonly NodeReader r = new();
    private readonly List<string?> symbols = new();
    private readonly List<double> prices = new();
    private SymbolTable table = new(Array.Empty<string?>());

    /// <summary>Errors found while binding.</summary>
    public Diagnostics Errors => r.Errors;

    /// <summary>The reader, with the paths it read as numbers.</summary>
    public NodeReader Reader => r;

    /// <inheritdoc cref="NodeReader.Locate"/>
    public ScenarioError Locate(ScenarioError error) => r.Locate(error);

    /// <summary>The scenario, or null when <see cref="Errors"/> is not empty.</summary>
    public Scenario? Bind(ScenarioNode root)
    {
        if (root is not MapNode)
        {
            Errors.Add("", $"a scenario must be a mapping of keys (horizon, steps, paths, ...), got {root.Describe()}", root);
            return null;
        }
        var m = r.Map(root, "")!;
        var horizon = m.Duration("horizon", required: true);
        var steps = m.Int("steps", required: true, min: 1, max: ScenarioLimits.MaxSteps);
        var paths = m.Long("paths", required: true, min: 1, max: ScenarioLimits.MaxPaths);
        var seed = m.UInt64("seed", required: true);
        var precision = m.Choice("precision", false, ("double", Precision.Double), ("single", Precision.Single));
        var cascadeThreshold = m.Number("cascadeThreshold");
        var runawayBound = m.Number("runawayBound");
        var innovations = m["innovations"] is { } i ? Innovations(i, "innovations") : null;
        var garch = m["garch"] is { } g ? Garch(g, "garch") : null;
        var jumps = m["jumps"] is { } j ? Jumps(j, "jumps") : null;
        var assets = Assets(m.Items("assets", required: true));
        var correlation = m["correlation"] is { } c ? Correlation(c, "correlation", assets.Length) : null;
        var stress = m["stress"] is { } s ? Stress(s, "stress") : null;
        var uncertainty = m[UncertaintyModule.Name] is { } u ? UncertaintyModule.Bind(r, u, UncertaintyModule.Name) : null;
        var history = m[HistoryModule.Name] is { } hn ? HistoryModule.Bind(r, hn, HistoryModule.Name, symbols, baseDirectory) : null;
        VenueSpec? venue;
        BookSpec? book;
        VenueSetSpec? venueSet = null;
        if (m[VenuesModule.Name] is { } several)
        {
            // Several venues (docs/model.md section 9): each names its own venue and book.
            m.Forbid("venue", "give each venue's rules under venues[i].venue");
            m.Forbid("book", "give each venue's book under venues[i].book");
            venueSet = VenueList(several, m[VenuesModule.CouplingName]);
            venue = venueSet?.Venues[0].Venue;
            book = venueSet is null ? null : new BookSpec();
        }
        else
        {
            m.Forbid(VenuesModule.CouplingName, "only with several venues (venues: [...])");
            venue = m.Required("venue") is { } v ? Venue(v, "venue") : null;
            book = m.Required("book") is { } b ? Book(b, "book") : null;
        }
        m.Done();
        if (Errors.Count > 0)
        {
            // What did bind, for the validator to report the value errors beside the structural ones in one pass. A part
            // that did not bind is replaced by a placeholder whose own errors are not reported: a top-level value (a
            // horizon of NaN years and 0 steps turn off the checks that depend on them), an asset (kept in its place, so
            // the other assets' indices hold), the venue, the book. Not when the file is not a mapping of keys or the
            // assets are no list.
            if (root is MapNode && _assetsInPlace is { } inPlace)
            {
                if (horizon is null) _placeholders.Add("horizon");
                if (steps is null) _placeholders.Add("steps");
                if (paths is null) _placeholders.Add("paths");
                if (seed is null) _placeholders.Add("seed");
                if (venue is null) _placeholders.Add("venue");
                if (book is null) _placeholders.Add("book");
                horizon ??= new Duration("", double.NaN);
                steps ??= 0;
                paths ??= 1;
                seed ??= 0;
                assets = inPlace;
                venue ??= new VenueSpec { MaintenanceMargin = [.. assets.Select(_ => (MarginRule)new StaticMargin(0.01))] };
                book ??= new BookSpec();
                _partial = Assemble();
            }
            return null;
        }
        return Assemble();

        // Every required value is read here.
        Scenario Assemble()
        {
            var scenario = new Scenario
            {
                Horizon = horizon!.Value, Steps = steps!.Value, Paths = paths!.Value, Seed = seed!.Value,
                Assets = assets, Venue = venue!, Book = book!,
            };
            if (precision is Precision p) scenario = scenario with { Precision = p };
            if (cascadeThreshold is double threshold) scenario = scenario with { CascadeThreshold = threshold };
            if (runawayBound is double bound) scenario = scenario with { RunawayBound = bound };
            if (innovations is not null) scenario = scenario with { Innovations = innovations };
            if (garch is not null) scenario = scenario with { Garch = garch };
            if (jumps is not null) scenario = scenario with { Jumps = jumps };
            if (correlation is { } rho) scenario = scenario with { Correlation = rho };
            if (stress is { } shocks) scenario = scenario with { Stress = shocks };
            if (uncertainty is not null) scenario = scenario with { Uncertainty = uncertainty };
            if (history is not null) scenario = scenario with { History = history };
            if (venueSet is { } set)
                scenario = VenuesModule.Expand(scenario, set with
                {
                    Assets = scenario.Assets, Correlation = scenario.Correlation, Stress = scenario.Stress,
                });
            return scenario;
        }
    }

    private Scenario? _partial;
    private ImmutableArray<AssetSpec>? _assetsInPlace;

    /// <summary>A stand-in for an asset that did not bind, so the others keep their indices; its errors are not reported,
    /// nor those of the parts that read its values (the book's cohorts and the stress shocks, priced with it).</summary>
    private AssetSpec Placeholder(string path, string? symbol)
    {
        _placeholders.Add(path);
        _placeholders.Add("book");
        _placeholders.Add("stress");
        return new AssetSpec { Symbol = symbol ?? $"#{path}", Price = 1, Volatility = 0, LongRunVolatility = 0, Impact = new LinearImpact(1) };
    }
    private readonly List<string> _placeholders = [];

    /// <summary>Binds <paramref name="root"/> and validates it: every error of the file at once, each located. The
    /// structural errors (types, keys, references) come first; where the rest of the file bound, the validator's value
    /// errors follow, except those in a list or field that had a structural error (its items may have been left out, so
    /// their indices would be wrong).</summary>
    public IReadOnlyList<ScenarioError> BindAndValidate(ScenarioNode root, out Scenario? scenario)
    {
        scenario = Bind(root);
        if (scenario is not null) return [.. ScenarioValidator.Validate(scenario).Select(Locate)];
        var errors = Errors.Errors.Select(Locate).ToList();
        if (_partial is null) return errors;
        var structural = Errors.Errors.Select(e => Unreliable(e.Path)).Concat(_placeholders).ToList();
        static bool Within(string path, string part) =>
            part.Length == 0 || path == part || path.StartsWith(part + ".", StringComparison.Ordinal) || path.StartsWith(part + "[", StringComparison.Ordinal);
        // Dropped: errors inside an unreliable part, and errors about a part that contains one (a book whose generator
        // did not bind looks empty to the validator).
        errors.AddRange(ScenarioValidator.Validate(_partial)
            .Where(v => !structural.Any(s => Within(v.Path, s) || Within(s, v.Path)))
            .Select(Locate));
        return errors;
    }

    /// <summary>The part of the scenario whose value errors cannot be trusted after a structural error at
    /// <paramref name="path"/>: the asset (assets[1] for assets[1].price: the others keep their places), the list it
    /// is in (book.cohorts for book.cohorts[3].asset: a cohort that did not bind is left out), else its parent.</summary>
    private static string Unreliable(string path)
    {
        if (path.StartsWith("assets[", StringComparison.Ordinal) && path.IndexOf(']') is > 0 and var close) return path[..(close + 1)];
        int bracket = path.IndexOf('[');
        if (bracket > 0) return path[..bracket];
        int dot = path.LastIndexOf('.');
        return dot > 0 ? path[..dot] : path;
    }

    private ImmutableArray<AssetSpec> Assets(IReadOnlyList<ScenarioNode>? items)
    {
        var assets = ImmutableArray.CreateBuilder<AssetSpec>();
        var inPlace = ImmutableArray.CreateBuilder<AssetSpec>(); // with placeholders for the assets that did not bind
        for (int i = 0; i < (items?.Count ?? 0); i++)
        {
            string path = Index("assets", i);
            if (r.Map(items![i], path) is not { } a)
            {
                symbols.Add(null);
                prices.Add(double.NaN);
                inPlace.Add(Placeholder(path, null));
                continue;
            }
            var symbol = a.Text("symbol", required: true);
            var price = a.Number("price", required: true);
            symbols.Add(symbol); // kept even when the asset has errors, so references to it still resolve
            prices.Add(price ?? double.NaN);
            var volatility = a.Number("volatility", required: true);
            var longRun = a.Number("longRunVolatility");
            var drift = a.Number("drift");
            var impact = Impact(a);
            var permanent = a.Number("permanentImpact");
            var halfLife = a.Duration("impactHalfLife");
            var jumpBeta = a.Number("jumpBeta");
            var weight = AssetTerms.CollateralWeight(Errors, path, a.Number("collateralWeight"), a.Number("haircut"));
            var liquidity = a[LiquidityModule.Name] is { } l ? LiquidityModule.Bind(r, l, a.PathOf(LiquidityModule.Name)) : null;
            var mechanisms = MechanismCatalogue.Bind(r, a, MechanismScope.Asset);
            a.Done();
            if (symbol is null || price is null || volatility is null || impact is null)
            {
                inPlace.Add(Placeholder(path, symbol));
                continue;
            }
            var asset = new AssetSpec
            {
                Symbol = symbol, Price = price.Value, Volatility = volatility.Value,
                LongRunVolatility = longRun ?? volatility.Value, Impact = impact,
            };
            asset = AssetTerms.WithOptions(asset, drift, permanent, halfLife, jumpBeta, weight);
            if (liquidity is not null) asset = asset with { Liquidity = liquidity };
            assets.Add(mechanisms.Count == 0 ? asset : asset with { Mechanisms = mechanisms });
            inPlace.Add(assets[^1]);
        }
        table = new SymbolTable(symbols);
        if (items is not null) _assetsInPlace = inPlace.ToImmutable();
        return items is null || assets.Count != items.Count ? ImmutableArray<AssetSpec>.Empty : assets.ToImmutable();
    }

    /// <summary><c>depth1pct</c> shorthand or <c>impact: {model: linear | sqrt, ...}</c>; exactly one.</summary>
    private ImpactSpec? Impact(MapReader a)
    {
        var depth = a["depth1pct"];
        var impact = a["impact"];
        if (depth is not null && impact is not null)
        {
            Errors.Add(a.PathOf("impact"), "give either depth1pct or impact, not both", impact);
            return null;
        }
        if (depth is not null) return r.Number(depth, a.PathOf("depth1pct")) is double d ? new LinearImpact(d) : null;
        if (impact is null)
        {
            Errors.Add(a.Path, "needs depth1pct (linear impact) or impact: {model: sqrt, dailyVolume: V}", a.Node);
            return null;
        }
        if (r.Map(impact, a.PathOf("impact")) is not { } m) return null;
        var model = m.Choice("model", true, ("linear", 0), ("sqrt", 1));
        string[] linearKeys = ["depth1pct"], sqrtKeys = ["dailyVolume", "y"];
        ImpactSpec? result = null;
        if (model == 0)
        {
            Forbid(m, sqrtKeys, "only with model: sqrt");
            result = m.Number("depth1pct", required: true) is double d ? new LinearImpact(d) : null;
        }
        else if (model == 1)
        {
            Forbid(m, linearKeys, "only with model: linear");
            var volume = m.Number("dailyVolume", required: true);
            var y = m.Number("y") ?? AssetTerms.DefaultImpactY;
            result = volume is double v ? new SquareRootImpact(v, y) : null;
        }
        else
            Known(m, [.. linearKeys, .. sqrtKeys]);
        m.Done();
        return result;
    }

    private InnovationSpec? Innovations(ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        InnovationSpec? result = null;
        switch (m.Choice("distribution", true, ("normal", 0), ("student-t", 1)))
        {
            case 0:
                m.Forbid("dof", "only with distribution: student-t");
                result = InnovationSpec.Normal;
                break;
            case 1:
                result = m.Number("dof", required: true) is double nu ? new InnovationSpec(nu) : null;
                break;
            default:
                Known(m, ["dof"]);
                break;
        }
        m.Done();
        return result;
    }

    private GarchSpec? Garch(ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var alpha = m.Number("alpha", required: true);
        var beta = m.Number("beta", required: true);
        m.Done();
        return alpha is double a && beta is double b ? new GarchSpec(a, b) : null;
    }

    private JumpSpec? Jumps(ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var intensity = m.Number("intensity", required: true);
        var mean = m.Number("meanLogSize", required: true);
        var sd = m.Number("logSizeVolatility", required: true);
        m.Done();
        return intensity is double l && mean is double mu && sd is double s ? new JumpSpec(l, mu, s) : null;
    }

    /// <summary>N rows of N numbers in asset order, stored row-major.</summary>
    private ImmutableArray<double>? Correlation(ScenarioNode node, string path, int assets)
    {
        if (r.Items(node, path) is not { } rows) return null;
        int n = symbols.Count; // the assets as listed, even those with errors
        if (rows.Count != n)
        {
            Errors.Add(path, $"must have {n} rows (one per asset, in asset order), got {rows.Count}", node);
            return null;
        }
        var values = ImmutableArray.CreateBuilder<double>(n * n);
        for (int i = 0; i < n; i++)
        {
            string rowPath = Index(path, i);
            if (r.Items(rows[i], rowPath) is not { } row) continue;
            if (row.Count != n)
            {
                Errors.Add(rowPath, $"must have {n} entries, got {row.Count}", rows[i]);
                continue;
            }
            for (int j = 0; j < n; j++)
                if (r.Number(row[j], Index(rowPath, j)) is double rho) values.Add(rho);
        }
        return values.Count == n * n && assets == n ? values.MoveToImmutable() : null;
    }

    private ImmutableArray<StressShock>? Stress(ScenarioNode node, string path)
    {
        if (r.Items(node, path) is not { } items) return null;
        var shocks = ImmutableArray.CreateBuilder<StressShock>(items.Count);
        for (int k = 0; k < items.Count; k++)
        {
            if (r.Map(items[k], Index(path, k)) is not { } m) continue;
            var step = m.Int("step", required: true);
            var asset = AssetRef(m, "asset");
            var logReturn = m.Number("logReturn", required: true);
            m.Done();
            if (step is int st && asset is int a && logReturn is double x) shocks.Add(new StressShock(st, a, x));
        }
        return shocks.Count == items.Count ? shocks.MoveToImmutable() : null;
    }

    /// <summary>Rejects keys that belong to another form.</summary>
    private static void Forbid(MapReader m, string[] keys, string reason)
    {
        foreach (var key in keys) m.Forbid(key, reason);
    }

    /// <summary>Marks keys as known without reading them: when the form is unknown, only the form is reported.</summary>
    private static void Known(MapReader m, string[] keys)
    {
        foreach (var key in keys) _ = m[key];
    }

    /// <summary>A required asset symbol resolved to its index.</summary>
    private int? AssetRef(MapReader m, string key) =>
        m.Text(key, required: true) is string symbol ? table.Resolve(Errors, m.PathOf(key), symbol, m[key]) : null;
}
