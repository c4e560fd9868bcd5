using System.Runtime.CompilerServices;

namespace GpuCascade.Kernels;

/// <summary>
/// One Monte Carlo path of the model (docs/model.md sections 2-8), written once: the managed backend calls it natively
/// on .NET threads and ILGPU compiles it for CUDA, OpenCL and its CPU accelerator (<see cref="PathKernels"/>).
/// Hence the style: a struct with no references, no allocation, exceptions or virtual calls; every array is an
/// <see cref="IModelArray{T}"/> and a path's state lives in <see cref="PathSlots{TD,TI}"/>.
/// <para>
/// <see cref="Run{TOD,TOI,TR}"/> is a fixed script of phases, one file each under Path/ (start of path, start of step,
/// market move, oracle, the round loop of candidates, admission, flows, execution, settlement and the loss waterfall,
/// end of step, end of path); each mechanism of docs/model.md section 8 is a file under Mechanisms/ with its
/// parameters (a struct in <see cref="PlanLayout"/>), its state fields and the hooks the phases call.
/// </para>
/// <para>
/// A cohort's state is implicit (its starting values, read from the plan) until the path first liquidates it: bit c
/// of the path's modified words says whether its slots hold it. Most cohorts are never touched, so their state is
/// never written or read, which keeps a device's per-path memory traffic to the cohorts the path actually changes.
/// </para>
/// </summary>
/// <typeparam name="TD">The plan's real array.</typeparam>
/// <typeparam name="TI">The plan's integer array.</typeparam>
/// <typeparam name="TSD">The path's real state slots.</typeparam>
/// <typeparam name="TSI">The path's integer state slots.</typeparam>
/// <typeparam name="TP">The market state's precision.</typeparam>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
    where TD : struct, IModelArray<double>
    where TI : struct, IModelArray<int>
    where TSD : struct, IModelArray<double>
    where TSI : struct, IModelArray<int>
    where TP : struct, IPrecision
{
    // The path's own fields; a mechanism declares its per-path fields in its file (Mechanisms/), and no code depends on
    // the order of a struct's fields (CS0282 is off for that reason, GpuCascade.Kernels.csproj).
    private PlanLayout _l;
    private TD _pd;
    private TI _pi;
    private PathSlots<TSD, TSI> _m;
    private int _n, _cohorts, _touchedCount;
    private ulong _path; // the path's index, for numbers drawn after its start (the oracle feeds' noise)
    private long _marginChecks, _liquidations;
    private int _failFlag, _failStep, _failAsset;
    private double _failLogPrice, _failFlow;
    // The path's uncertain inputs (docs/model.md section 8.4): depth u, volatility w (and w^2 for variances), book r; 1 when known.
    private double _depthMultiplier, _volatilityMultiplier, _varianceMultiplier, _bookMultiplier;
    // The money of the path: insurance fund, penalties, bad debt, what ADL absorbed, what is left uncovered.
    private PathLedger _ledger;
    private int _maxRounds;
    private int _recordRows; // rows of the record written so far
    private bool _roundCapHit, _cascade, _stopped;

    /// <summary>A path runner over the plan (<paramref name="layout"/>, <paramref name="reals"/>,
    /// <paramref name="ints"/>) with its state in <paramref name="state"/>.</summary>
    public CascadePath(in PlanLayout layout, TD reals, TI ints, PathSlots<TSD, TSI> state)
    {
        _l = layout;
        _pd = reals;
        _pi = ints;
        _m = state;
        _n = layout.Assets;
        _cohorts = layout.Cohorts;
        // The per-path counters, ledger and failure fields start at their defaults; StartPath resets them for every path.
    }

    // ------------------------------------------------------------------ the phase script

    /// <summary>Simulates path <paramref name="path"/> and writes its outputs (<see cref="PathOutput"/>) to <paramref name="output"/>
    /// (no record: the plan's <see cref="PlanLayout.Series"/> must be 0).</summary>
    public void Run<TOD, TOI>(ulong path, PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int> =>
        Run(path, output, output.Reals);

    /// <summary>Simulates path <paramref name="path"/>, writes its outputs (<see cref="PathOutput"/>) to <paramref name="output"/>
    /// and, with <see cref="PlanLayout.Series"/>, its record (<see cref="PathSeries"/>) to <paramref name="record"/>.</summary>
    public void Run<TOD, TOI, TR>(ulong path, PathSlots<TOD, TOI> output, TR record)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
        where TR : struct, IModelArray<double>
    {
        StartPath(path);                                       // Path/StartOfPath.cs (every mechanism's start)
        if (_l.OpeningRound != 0) OpeningRound();              // the round loop's phases, once, at the starting prices
        if (_l.Series != 0 && _failFlag == 0) RecordStart(record);
        for (int step = 0; step < _l.Steps && _failFlag == 0; step++)
        {
            if (CancelRequested(step)) break;
            OnStartOfStep(step);                               // Path/StartOfStep.cs (hooks: Liquidity)
            ExogenousMove(path, step);                         // Path/MarketMove.cs
            if (_failFlag != 0) break;
            OnMarketMoved(step);                               // Path/MarketMove.cs (hooks: Oracle, CircuitBreaker, ReturningLiquidity, DealerGamma)
            if (_failFlag != 0) break;                         // another participant's trade ran away (docs/model.md section 8.7)
            RunRounds(step);                                   // Path/RoundLoop.cs (hooks: Capacity; calls Oracle, Screening, Liquidity, Uncertainty, Adl)
            EndStep(step, record);                             // Path/EndOfStep.cs (hooks: Capacity, Liquidity, Oracle)
        }
        if (_l.Series != 0 && _failFlag != 0) HoldRecord(record); // Path/EndOfStep.cs: a path that ran away keeps its last state
        EndPath(output);                                       // Path/EndOfPath.cs (hooks: Adl, Capacity)
    }

    // ------------------------------------------------------------------ access

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly double Pd(int offset, int k) => _pd[offset + k];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly int Pi(int offset, int k) => _pi[offset + k];

    /// <summary>Per-asset state field <paramref name="field"/> of asset <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ref double A(int field, int i) => ref _m.R(field * _n + i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ref double CohortReal(int field, int c) => ref _m.R(_l.CohortRealSlot + field * _cohorts + c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ref int CohortInt(int field, int c) => ref _m.I(field * _cohorts + c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ref int ModifiedWord(int c) => ref _m.I(_l.ModifiedSlot + (c >> 5));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly bool IsModified(int c) => ((ModifiedWord(c) >> (c & 31)) & 1) != 0;

    private readonly double ScaleOf(int c) => IsModified(c) ? CohortReal(PathState.Scale, c) : 1.0;
    private readonly double CollateralScaleOf(int c) => IsModified(c) ? CohortReal(PathState.CollateralScale, c) : 1.0;
    private readonly double BalanceOf(int c) => IsModified(c) ? CohortReal(PathState.Balance, c) : Pd(_l.UsdCollateral, c);
    private readonly bool OpenOf(int c) => !IsModified(c) || CohortInt(PathState.Open, c) != 0;
    private readonly bool ForcedOf(int c) => IsModified(c) && CohortInt(PathState.ForceClose, c) != 0;
    private readonly int PartialStepOf(int c) => IsModified(c) ? CohortInt(PathState.PartialStep, c) : -1;
    private readonly bool TouchedOf(int c) => IsModified(c) && CohortInt(PathState.Touched, c) != 0;

    /// <summary>Writes cohort c's starting state into its slots the first time the path changes it.</summary>
    private readonly void Materialize(int c)
    {
        if (IsModified(c)) return;
        CohortReal(PathState.Scale, c) = 1.0;
        CohortReal(PathState.CollateralScale, c) = 1.0;
        CohortReal(PathState.Balance, c) = Pd(_l.UsdCollateral, c);
        CohortReal(PathState.LiquidatedNotional, c) = 0;
        CohortReal(PathState.BadDebt, c) = 0;
        CohortInt(PathState.Open, c) = 1;
        CohortInt(PathState.ForceClose, c) = 0;
        CohortInt(PathState.PartialStep, c) = -1;
        CohortInt(PathState.Touched, c) = 0;
        ModifiedWord(c) |= 1 << (c & 31);
    }

    /// <summary>Records the first price that left the representable range; the host turns it into the error.</summary>
    private void Fail(int flag, int step, int asset, double flow)
    {
        if (_failFlag != 0) return;
        _failFlag = flag;
        _failStep = step;
        _failAsset = asset;
        _failLogPrice = A(MarketState.X, asset) + A(ExecutionState.Y, asset);
        _failFlow = flow;
    }
}
