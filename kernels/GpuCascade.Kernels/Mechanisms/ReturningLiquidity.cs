namespace GpuCascade.Kernels;

/// <summary>
/// Returning liquidity (docs/model.md section 8.6): per asset, liquidity providers (arbitrageurs, market makers) who buy
/// the traded price's discount to the exogenous price and sell its premium, once per step after the market move and
/// before the rounds, with a reaction delay and a cap on their inventory's value; their trade goes through the one
/// impact law (<see cref="ExecuteFlow"/>) as no liquidation, and their P&amp;L is an output.
/// </summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    // docs/model.md section 8.6: whether the LPs' capital bound on the path, and the steps in which they traded.
    private bool _lpCapitalExhausted;
    private double _lpTradeSteps;

    /// <summary>Start of path: no inventory, no cash, and no discount seen before the path (the delay's ring at 0).</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 40)]
    private void StartReturningLiquidity()
    {
        _lpCapitalExhausted = false;
        _lpTradeSteps = 0;
        if (_l.ReturningLiquidity.On == 0) return;
        for (int i = 0; i < _n; i++)
        {
            A(ReturningLiquidityState.Inventory, i) = 0;
            A(ReturningLiquidityState.Cash, i) = 0;
        }
        int first = _l.MechanismSlot + _l.ReturningLiquidity.Ring;
        for (int k = 0; k < _l.ReturningLiquidity.RingSteps * _n; k++) _m.R(first + k) = 0;
    }

    /// <summary>
    /// docs/model.md section 8.6, after the step's market move and before its rounds: for each asset with LPs, the
    /// discount <c>gamma = x_exo - (x + y)</c> seen <c>L</c> steps ago sets the aimed impact <c>kappa gamma_{t-L}</c>; the
    /// flow that moves the mid by it at the current depth, clipped so that the inventory's value at the mid stays within
    /// the capital, is executed as no liquidation (it moves neither z nor the withdrawal pressure), and the inventory and
    /// cash take the fill. With several venues (docs/model.md section 9) each market's LPs trade their share of that flow
    /// (<see cref="ReturningLiquidityParams.FlowShare"/>), every market's from the discounts before any trade, and the
    /// common pool then shares the moves, as it shares a round's.
    /// </summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 20, Switch = "ReturningLiquidity")]
    private void TradeTheDiscount(int step)
    {
        if (_l.ReturningLiquidity.On == 0) return;
        TP real = default;
        int n = _n, ringSteps = _l.ReturningLiquidity.RingSteps, ring = _l.MechanismSlot + _l.ReturningLiquidity.Ring;
        bool together = _l.Venues.Pool != 0, traded = false;
        for (int i = 0; i < n; i++)
        {
            if (together) A(ExecutionState.FlowUnits, i) = 0;
            double kappa = Pd(_l.ReturningLiquidity.Kappa, i);
            if (kappa == 0) continue;
            double gamma = real.Hold(A(MarketState.XExogenous, i) - LogMid(i));
            double signal = gamma;
            if (ringSteps > 0)
            {
                // The ring holds the last RingSteps discounts: step t reads t - L's slot before writing its own.
                int delay = Pi(_l.ReturningLiquidity.Delay, i);
                if (delay > 0) signal = step >= delay ? _m.R(ring + (step - delay) % ringSteps * n + i) : 0.0;
                _m.R(ring + step % ringSteps * n + i) = gamma;
            }
            // A breaker with scope all halts them too (they still see the discount), on its venue's markets.
            if (TradingHalted(step, i)) continue;
            double aimed = kappa * signal;
            // Willingness: W = (sw^2 / max(v, sw^2))^(xi / 2), v the traded mid's realised variance at the previous step's end.
            double halfExponent = Pd(_l.ReturningLiquidity.HalfExponent, i);
            if (halfExponent > 0)
            {
                double reference = Pd(_l.ReturningLiquidity.ReferenceVariance, i);
                aimed *= Math.Pow(reference / Math.Max(A(LiquidityState.RealisedVariance, i), reference), halfExponent);
            }
            if (aimed == 0) continue;
            double q = FlowForImpact(i, aimed) * Pd(_l.ReturningLiquidity.FlowShare, i);
            // The capital: the inventory's value at the mid stays within K; a trade is clipped, never forced.
            double mid = A(MarketState.Mid, i), capital = Pd(_l.ReturningLiquidity.Capital, i);
            double value = A(ReturningLiquidityState.Inventory, i) * mid;
            double clipped = Math.Min(Math.Max(q, Math.Min(0.0, -capital - value)), Math.Max(0.0, capital - value));
            if (clipped != q)
            {
                _lpCapitalExhausted = true;
                if (Math.Abs(clipped) <= 1e-9 * capital) clipped = 0; // what rounding leaves of spent room buys nothing
            }
            if (clipped == 0) continue;
            double units = clipped / mid;
            ExecuteOwnFlow(step, i, units, liquidation: false);
            if (_failFlag != 0)
            {
                // The path ran away on this trade: the trades before it are booked, as with one venue.
                if (together) SettleLpTradesTogether(i);
                return;
            }
            traded = true;
            if (together) A(ExecutionState.FlowUnits, i) = units; // settled once the pool has shared every market's move
            else SettleLpTrade(i, units);
        }
        if (together)
        {
            if (traded) ShareRoundMoves(step, liquidation: false);
            SettleLpTradesTogether(n); // booked even if the shared moves ran the path away
        }
        if (traded && _failFlag == 0) _lpTradeSteps++;
    }

    /// <summary>With the common pool: books the trades the LPs made on markets 0 to <paramref name="end"/> - 1 (their units
    /// in <see cref="ExecutionState.FlowUnits"/>) and clears those units.</summary>
    private void SettleLpTradesTogether(int end)
    {
        for (int i = 0; i < end; i++)
        {
            double units = A(ExecutionState.FlowUnits, i);
            A(ExecutionState.FlowUnits, i) = 0;
            if (units != 0) SettleLpTrade(i, units);
        }
    }

    /// <summary>The LPs' trade of <paramref name="units"/> on asset <paramref name="i"/>, filled at
    /// <see cref="ExecutionState.Execution"/>, in their inventory and cash (money in double whatever the market state's
    /// precision, docs/model.md section 1); the drawdowns see it (docs/model.md section 6).</summary>
    private void SettleLpTrade(int i, double units)
    {
        TrackMin(i);
        A(ReturningLiquidityState.Inventory, i) += units;
        A(ReturningLiquidityState.Cash, i) -= units * A(ExecutionState.Execution, i);
    }

    /// <summary>End of path: the LPs' P&amp;L (inventory marked at the final mid plus cash), its loss, the inventory's value,
    /// whether the capital bound and the steps they traded in (<see cref="ReturningLiquidityOutput"/>).</summary>
    [PhaseHook(nameof(OnEndOfPath), Order = 30)]
    private readonly void WriteReturningLiquidityOutputs<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        double pnl = 0, inventory = 0;
        if (_l.ReturningLiquidity.On != 0) pnl = MarkToMarket(ReturningLiquidityState.Inventory, ReturningLiquidityState.Cash, out inventory);
        output.R(ReturningLiquidityOutput.Pnl) = pnl;
        output.R(ReturningLiquidityOutput.Loss) = -pnl;
        output.R(ReturningLiquidityOutput.Inventory) = inventory;
        output.R(ReturningLiquidityOutput.CapitalExhausted) = _lpCapitalExhausted ? 1 : 0;
        output.R(ReturningLiquidityOutput.TradeSteps) = _lpTradeSteps;
    }
}

/// <summary>Helpers for any participant that holds an inventory (returning liquidity, the backstop).</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>The value of a holding kept in the per-asset fields <paramref name="inventoryField"/> (units, signed) and
    /// <paramref name="cashField"/> (USD), at the current mids, summed over assets: returns inventory value plus cash, and
    /// the inventory's value alone in <paramref name="inventory"/>.</summary>
    private readonly double MarkToMarket(int inventoryField, int cashField, out double inventory)
    {
        double pnl = 0;
        inventory = 0;
        for (int i = 0; i < _n; i++)
        {
            double value = A(inventoryField, i) * A(MarketState.Mid, i);
            inventory += value;
            pnl += value + A(cashField, i);
        }
        return pnl;
    }
}

/// <summary>Returning liquidity in the plan (docs/model.md section 8.6).</summary>
[PlanParams("ReturningLiquidity")]
public struct ReturningLiquidityParams
{
    /// <summary>Some asset has LPs (0 or 1).</summary>
    public int On;
    /// <summary>Offsets of the per-asset reals: kappa (0: no LPs), the capital K (USD; +infinity: no cap), the willingness's
    /// xi / 2 (0: always willing) and reference variance sw^2.</summary>
    public int Kappa, Capital, HalfExponent, ReferenceVariance;
    /// <summary>Offset of the per-asset reals: the share of the flow that moves the mid by the aimed impact that the
    /// market's LPs trade (1 with one venue; with several, 1 / the sum of the venues' visible depth shares, docs/model.md
    /// section 9).</summary>
    public int FlowShare;
    /// <summary>Offset of the per-asset integers: the delay L in steps.</summary>
    public int Delay;
    /// <summary>Steps the ring of discounts holds (the largest delay; 0 when no asset has one), and where the ring starts in
    /// the mechanism region (relative to <see cref="PlanLayout.MechanismSlot"/>; RingSteps x N real slots).</summary>
    public int RingSteps, Ring;
}

/// <summary>Per-asset state of returning liquidity: the LPs' inventory (units, signed) and cash (USD).</summary>
[StateBlock(6)]
public static partial class ReturningLiquidityState
{
    /// <summary>Per-asset fields.</summary>
    public const int Inventory = First, Cash = First + 1;

    /// <summary>How many per-asset fields the mechanism needs.</summary>
    public const int Fields = 2;
}

/// <summary>Returning liquidity's per-path outputs (slots of <see cref="PathOutput"/>), summed over assets.</summary>
[OutputBlock(2)]
public static partial class ReturningLiquidityOutput
{
    /// <summary>P&amp;L (USD), its negative (the loss), the inventory's value at the final mids (USD, signed), whether the
    /// capital bound (0/1), the steps in which the LPs traded.</summary>
    public const int Pnl = First, Loss = First + 1, Inventory = First + 2, CapitalExhausted = First + 3, TradeSteps = First + 4;

    /// <summary>Slots.</summary>
    public const int Fields = 5;
}
