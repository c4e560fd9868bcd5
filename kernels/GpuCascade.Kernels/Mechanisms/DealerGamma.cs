namespace GpuCascade.Kernels;

/// <summary>
/// Dealer gamma hedging (docs/model.md section 8.9): per asset, option dealers short gamma G (USD of hedge flow per 1%
/// move of the traded price) who, after the market move and after every round, trade to the hedge their position needs
/// at the current price: they sell into falls and buy into rises, which feeds the move; protective puts below a strike
/// stop their hedging there. Their flow goes through the one impact law as no liquidation.
/// </summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    // docs/model.md section 8.9: the USD the dealers traded over the path (sum of |flow|).
    private double _dealerVolume;

    /// <summary>Start of path: the dealers hold the hedge of the starting price (no flow yet).</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 60)]
    private void StartDealers()
    {
        _dealerVolume = 0;
        if (_l.DealerGamma.On == 0) return;
        for (int i = 0; i < _n; i++) A(DealerGammaState.Hedged, i) = 0;
    }

    /// <summary>After the market move (and LPs' trades): the dealers hedge the move.</summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 30, Switch = "DealerGamma")]
    private void HedgeAfterMove(int step) => Hedge(step);

    /// <summary>After every round: the dealers hedge the round's move before the next round's margin checks.</summary>
    [PhaseHook(nameof(OnRoundSettled), Order = 10, Switch = "DealerGamma")]
    private void HedgeAfterRound(int step) => Hedge(step);

    /// <summary>
    /// Each asset with dealers trades q = G (max(x, x0 + ln K) - x0) / 0.01 - h (USD, a purchase when positive): the
    /// cumulative hedge flow the move of the traded log mid x from its start x0 calls for (none beyond the put strike K),
    /// less what they have traded already (h). Executed at the current mid, as no liquidation. With several venues
    /// (docs/model.md section 9) each market's dealers hold their share of G, every market hedges the move it made before
    /// any hedge, and the common pool then shares the hedges' moves, as it shares a round's.
    /// </summary>
    private void Hedge(int step)
    {
        if (_l.DealerGamma.On == 0 || _failFlag != 0) return;
        bool together = _l.Venues.Pool != 0, traded = false;
        for (int i = 0; i < _n; i++)
        {
            if (together) A(ExecutionState.FlowUnits, i) = 0;
            double gamma = Pd(_l.DealerGamma.Gamma, i);
            if (gamma == 0 || TradingHalted(step, i)) continue; // a breaker with scope all halts them on its venue's markets
            double x0 = Pd(_l.LogPrice0, i);
            double move = Math.Max(LogMid(i), x0 + Pd(_l.DealerGamma.LogStrike, i)) - x0;
            double flow = gamma * move / 0.01 - A(DealerGammaState.Hedged, i);
            if (flow == 0) continue;
            double units = flow / A(MarketState.Mid, i);
            ExecuteOwnFlow(step, i, units, liquidation: false);
            if (_failFlag != 0)
            {
                // The path ran away on this hedge: the drawdowns see the hedges before it, as with one venue.
                if (together) TrackHedgesTogether(i);
                return;
            }
            if (together)
            {
                A(ExecutionState.FlowUnits, i) = units;
                traded = true;
            }
            else TrackMin(i);
            A(DealerGammaState.Hedged, i) += flow;
            _dealerVolume += Math.Abs(flow);
        }
        if (!together) return;
        if (traded) ShareRoundMoves(step, liquidation: false);
        TrackHedgesTogether(_n);
    }

    /// <summary>With the common pool: the drawdowns see the hedges on markets 0 to <paramref name="end"/> - 1 (their units in
    /// <see cref="ExecutionState.FlowUnits"/>), whose units are cleared.</summary>
    private void TrackHedgesTogether(int end)
    {
        for (int i = 0; i < end; i++)
        {
            if (A(ExecutionState.FlowUnits, i) != 0) TrackMin(i);
            A(ExecutionState.FlowUnits, i) = 0;
        }
    }

    /// <summary>End of path: the dealers' hedge volume (<see cref="DealerGammaOutput"/>).</summary>
    [PhaseHook(nameof(OnEndOfPath), Order = 50)]
    private readonly void WriteDealerOutputs<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        output.R(DealerGammaOutput.HedgeVolume) = _dealerVolume;
    }
}

/// <summary>Dealer gamma hedging in the plan (docs/model.md section 8.9).</summary>
[PlanParams("DealerGamma")]
public struct DealerGammaParams
{
    /// <summary>Some asset has dealers (0 or 1).</summary>
    public int On;
    /// <summary>Offsets of the per-asset reals: G (USD per 1% move; 0: none) and ln K of the put strike (-infinity: no puts).</summary>
    public int Gamma, LogStrike;
}

/// <summary>Per-asset state of the dealers: the hedge flow traded so far (USD).</summary>
[StateBlock(7)]
public static partial class DealerGammaState
{
    /// <summary>Per-asset fields.</summary>
    public const int Hedged = First;

    /// <summary>How many per-asset fields the mechanism needs.</summary>
    public const int Fields = 1;
}

/// <summary>Dealer hedging's per-path outputs (slots of <see cref="PathOutput"/>).</summary>
[OutputBlock(4)]
public static partial class DealerGammaOutput
{
    /// <summary>The USD the dealers traded over the path, summed over assets.</summary>
    public const int HedgeVolume = First;

    /// <summary>Slots.</summary>
    public const int Fields = 1;
}
