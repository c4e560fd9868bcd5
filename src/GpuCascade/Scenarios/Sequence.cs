using System.Collections.Immutable;

namespace GpuCascade.Scenarios;

/// <summary>Content equality of immutable arrays for the scenario records (a default array equals an empty one).</summary>
internal static class Sequence
{
    public static bool Equal<T>(ImmutableArray<T> a, ImmutableArray<T> b)
    {
        var x = a.IsDefault ? ImmutableArray<T>.Empty : a;
        var y = b.IsDefault ? ImmutableArray<T>.Empty : b;
        return x.AsSpan().SequenceEqual(y.AsSpan(), EqualityComparer<T>.Default);
    }

    public static int Hash<T>(ImmutableArray<T> a)
    {
        var hash = new HashCode();
        if (!a.IsDefault)
            foreach (var item in a) hash.Add(item);
        return hash.ToHashCode();
    }
}
