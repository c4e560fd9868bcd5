namespace GpuCascade.Kernels;

/// <summary>
/// The money of one path (docs/model.md sections 5 and 8.3), kept by the loss waterfall: the insurance fund and its
/// minimum, the penalties it received, the bad debt and what the fund paid of it, what was left before auto-deleveraging,
/// what ADL absorbed (with the notional it closed) and what is left uncovered.
/// </summary>
public struct PathLedger
{
    /// <summary>The insurance fund now, and its lowest value after any round.</summary>
    public double Fund, FundMin;
    /// <summary>Liquidation penalties paid into the fund.</summary>
    public double Penalties;
    /// <summary>Bad debt of closed cohorts, and what the fund paid of it.</summary>
    public double BadDebt, BadDebtPaid;
    /// <summary>Bad debt the fund could not pay (before ADL): the fund is depleted once it is positive.</summary>
    public double UncoveredBeforeAdl;
    /// <summary>What auto-deleveraging absorbed, and the position notional it closed.</summary>
    public double AdlAbsorbed, AdlNotional;
    /// <summary>What is left uncovered after the fund and ADL.</summary>
    public double Uncovered;

    /// <summary>A path's ledger at its start: the fund at <paramref name="fund"/>, everything else 0.</summary>
    public void Open(double fund)
    {
        Fund = fund;
        FundMin = fund;
        Penalties = 0;
        BadDebt = 0;
        BadDebtPaid = 0;
        UncoveredBeforeAdl = 0;
        AdlAbsorbed = 0;
        AdlNotional = 0;
        Uncovered = 0;
    }
}
