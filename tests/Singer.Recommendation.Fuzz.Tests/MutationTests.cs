using FsCheck;
using FsCheck.Xunit;

namespace Singer.Recommendation.Fuzz.Tests;

/// <summary>The mutation operator itself (FsCheck.Xunit properties): it never throws and changes a file's size by a bounded amount.</summary>
public sealed class MutationTests
{
    [Property(MaxTest = 1000)]
    public bool A_mutation_changes_the_length_by_at_most_its_run(NonNull<byte[]> input, int kind, int position, byte value, int length)
    {
        byte[] bytes = input.Get;
        var m = new Mutation(((kind % Mutation.Kinds) + Mutation.Kinds) % Mutation.Kinds, position & int.MaxValue, value, length & 1023);
        byte[] result = m.Apply(bytes.ToArray());
        return bytes.Length == 0
            ? result.Length == 1
            : result.Length >= 0 && result.Length <= bytes.Length + 256 && (m.Kind > 2 || result.Length == bytes.Length);
    }
}
