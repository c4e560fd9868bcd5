using System.Runtime.CompilerServices;

namespace GpuCascade.Market;

/// <summary>
/// Philox4x32-10 (Salmon, Moraes, Dror and Shaw, SC'11): a counter-based generator, as in cuRAND and Random123.
/// A 128-bit counter and a 64-bit key give four independent 32-bit words; no state is carried between calls,
/// so any path, step and draw slot can be generated directly on any backend.
/// </summary>
public static class Philox4x32
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>Ten rounds of Philox4x32 on counter (c0..c3) with key (k0, k1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Generate(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
        out uint r0, out uint r1, out uint r2, out uint r3)
    {
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0;
            uint hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            uint n0 = hi1 ^ c1 ^ k0;
            uint n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
        }
        r0 = c0; r1 = c1; r2 = c2; r3 = c3;
    }
}
