namespace GpuCascade.Kernels;

/// <summary>The oracle mechanism's hooks.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>Start of path: the delayed oracle's history holds the starting prices.</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 30)]
    private readonly void StartOracle()
    {
        int n = _n;
        for (int slot = 0; slot < _l.Oracle.Delay; slot++)
            for (int i = 0; i < n; i++) _m.R(_l.HistorySlot + slot * n + i) = Pd(_l.LogPrice0, i);
    }

    /// <summary>The oracle for the step, after the market move: with a delay d, the end price of step k - d (the live
    /// oracle is refreshed every round instead).</summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 10)]
    private readonly void ObserveOracle(int step)
    {
        int delay = _l.Oracle.Delay;
        if (delay == 0) return;
        TP real = default;
        int n = _n;
        int slot = step % delay;
        for (int i = 0; i < n; i++) A(OracleState.Price, i) = real.Exp(real.Hold(_m.R(_l.HistorySlot + slot * n + i)));
    }

    /// <summary>End of step, with a delay: the step's end price (log) joins the history, in the slot step k + d reads.</summary>
    [PhaseHook(nameof(OnEndOfStep), Order = 30)]
    private readonly void RecordOracleHistory(int step)
    {
        if (_l.Oracle.Delay == 0) return;
        int n = _n;
        int slot = step % _l.Oracle.Delay;
        for (int i = 0; i < n; i++)
            _m.R(_l.HistorySlot + slot * n + i) = LogMid(i);
    }

    /// <summary>The live oracle: the current mids (every round, and before the queue is measured).</summary>
    private readonly void RefreshLiveOracle()
    {
        for (int i = 0; i < _n; i++) A(OracleState.Price, i) = A(MarketState.Mid, i);
    }
}

/// <summary>The oracle's parameters in the plan (docs/model.md section 5, item 1).</summary>
[PlanParams("Oracle")]
public struct OracleParams
{
    /// <summary>Delay in steps (0: live, refreshed every round).</summary>
    public int Delay;
}

/// <summary>Per-asset state of the oracle: the price margins are checked at. The delayed oracle's history (delay x N log
/// prices) is a region of its own (<see cref="PlanLayout.HistorySlot"/>).</summary>
[StateBlock(3)]
public static partial class OracleState
{
    /// <summary>Per-asset fields.</summary>
    public const int Price = First;

    /// <summary>How many per-asset fields the oracle needs.</summary>
    public const int Fields = 1;

    /// <summary>Real slots of the delayed oracle's history.</summary>
    public static int HistorySlots(int assets, int delay) => delay * assets;
}
