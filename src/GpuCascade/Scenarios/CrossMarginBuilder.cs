using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

/// <summary>A cross-margin cohort in a <see cref="ScenarioBuilder"/>: positions sharing one collateral pool.</summary>
public sealed class CrossMarginBuilder
{
    private readonly List<(string Asset, PositionSide Side, double Notional, double? EntryPrice)> positions = new();
    private readonly List<(string Currency, double Amount)> collateral = new();
    private string? name;
    private double? accounts;
    private double? leverage;

    internal CrossMarginBuilder() { }

    /// <summary>Label for reports.</summary>
    public CrossMarginBuilder Name(string label) { name = label; return this; }

    /// <summary>Identical accounts the cohort stands for [1]; the amounts are totals over them.</summary>
    public CrossMarginBuilder Accounts(double count) { accounts = count; return this; }

    /// <summary>A position of <paramref name="notional"/> USD at entry (entry price [the starting price]).</summary>
    public CrossMarginBuilder Position(string asset, PositionSide side, double notional, double? entryPrice = null)
    {
        positions.Add((asset, side, notional, entryPrice));
        return this;
    }

    /// <summary>Collateral: <c>USD</c> in dollars, or an asset symbol in units. Not together with <see cref="Leverage"/>.</summary>
    public CrossMarginBuilder Collateral(string currency, double amount)
    {
        collateral.RemoveAll(x => x.Currency == currency);
        collateral.Add((currency, amount));
        return this;
    }

    /// <summary>USD collateral = total notional / leverage. Not together with <see cref="Collateral"/>.</summary>
    public CrossMarginBuilder Leverage(double value) { leverage = value; return this; }

    internal CohortSpec? Build(Diagnostics errors, SymbolTable table, IReadOnlyList<double> prices, string path)
    {
        int before = errors.Count;
        var terms = new List<PositionTerms>();
        for (int k = 0; k < positions.Count; k++)
        {
            var (asset, side, notional, entry) = positions[k];
            if (table.Resolve(errors, Key(Index(Key(path, "positions"), k), "asset"), asset) is int i)
                terms.Add(new PositionTerms(i, side, notional, entry));
        }
        double? usd = null;
        List<CollateralHolding>? holdings = collateral.Count > 0 ? new() : null;
        foreach (var (currency, amount) in collateral)
        {
            if (currency == "USD") usd = amount;
            else if (table.Resolve(errors, Key(path, $"collateral.{currency}"), currency, null, "USD") is int i)
                holdings!.Add(new CollateralHolding(i, amount));
        }
        if (errors.Count > before) return null;
        return CohortTerms.CrossMargin(errors, path, prices, terms, usd, holdings, leverage, name, accounts);
    }
}
