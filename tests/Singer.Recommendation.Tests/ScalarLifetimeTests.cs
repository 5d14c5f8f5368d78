using System.Reflection;
using System.Reflection.Emit;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Tests;

/// <summary>
/// No library code makes a TorchSharp <see cref="Scalar"/> implicitly (see src/Shared/ScalarSafe.cs): such a temporary
/// can be finalized by a garbage collection on another thread while libtorch still reads it, which crashed a long
/// training run here ("Expected false to be true … toLong" in <c>gt(Scalar)</c>). The test reads the IL of every
/// method of the library assemblies and reports each call that converts a number to a Scalar implicitly, or that
/// calls a TorchSharp method which does so inside (found by the same IL scan of TorchSharp, transitively:
/// <c>a + b</c>, <c>t.square()</c>, <c>softplus</c>, <c>t / 2f</c>, …).
/// </summary>
public sealed class ScalarLifetimeTests
{
    private static readonly Lazy<HashSet<MethodBase>> UnsafeTorchSharpMethods = new(FindUnsafeTorchSharpMethods);

    public static TheoryData<string> LibraryAssemblies() => new()
    {
        typeof(InteractionDataset).Assembly.GetName().Name!,
        typeof(SparseGraph).Assembly.GetName().Name!,
        typeof(BehaviorEncoder).Assembly.GetName().Name!,
        typeof(ModulusPerturbation).Assembly.GetName().Name!,
        typeof(RecommendationLosses).Assembly.GetName().Name!,
        typeof(SingerModel).Assembly.GetName().Name!,
    };

    [Theory]
    [MemberData(nameof(LibraryAssemblies))]
    public void Library_code_makes_no_implicit_scalars(string assemblyName)
    {
        var assembly = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == assemblyName);
        var offenders = ImplicitScalarCalls(assembly).ToList();
        offenders.Should().BeEmpty("every Scalar must live in a using scope until its native call returns (use ScalarSafe)");
    }

    [Fact]
    public void The_scan_finds_implicit_scalars_where_they_are()
    {
        // Positive control: this class's own examples must be reported, each of them.
        var found = ImplicitScalarCalls(typeof(ScalarLifetimeTests).Assembly)
            .Where(c => c.StartsWith(nameof(Examples) + ".", StringComparison.Ordinal))
            .ToList();
        found.Should().HaveCount(4);
        found.Should().Contain(c => c.Contains("op_Implicit", StringComparison.Ordinal));
        found.Should().Contain(c => c.Contains("op_Addition", StringComparison.Ordinal));
        found.Should().Contain(c => c.Contains("square", StringComparison.Ordinal));
        found.Should().Contain(c => c.Contains("op_Division", StringComparison.Ordinal));
        UnsafeTorchSharpMethods.Value.Should().Contain(m => m.Name == "softplus");
    }

    [Fact]
    public void Bpr_without_softplus_is_still_mean_softplus_of_the_negative_margin()
    {
        using var scope = NewDisposeScope();
        var positive = tensor(new[] { 0.25f, 4f, -1f, 2f, 30f, -30f });
        var negative = tensor(new[] { 1.5f, -2f, 0f, 3f, -30f, 30f });
        double expected = new[] { 1.25, -6.0, 1.0, 1.0, -60.0, 60.0 }.Select(d => Math.Log(1 + Math.Exp(d))).Average();
        RecommendationLosses.Bpr(positive, negative).item<float>().Should().BeApproximately((float)expected, 1e-5f);
    }

    /// <summary>What the library must not do (each line is an implicit Scalar), for the positive control.</summary>
    private static class Examples
    {
        public static Tensor Add(Tensor a, Tensor b) => a + b;

        public static Tensor Square(Tensor a) => a.square();

        public static Tensor Divide(Tensor a) => a / 2f;

        public static Tensor Greater(Tensor a) => a > 0;
    }

    private static IEnumerable<string> ImplicitScalarCalls(Assembly assembly)
    {
        var unsafeMethods = UnsafeTorchSharpMethods.Value;
        foreach (var type in Types(assembly))
        {
            foreach (var method in Methods(type))
            {
                foreach (var callee in Callees(method))
                {
                    var key = callee is MethodInfo { IsGenericMethod: true } g ? g.GetGenericMethodDefinition() : callee;
                    if (MakesScalar(callee) && callee.Name == "op_Implicit" || unsafeMethods.Contains(key))
                    {
                        yield return $"{type.Name}.{method.Name} → {callee.DeclaringType?.Name}.{callee.Name}({string.Join(", ", callee.GetParameters().Select(p => p.ParameterType.Name))})";
                    }
                }
            }
        }
    }

    /// <summary>TorchSharp methods that make a Scalar without disposing of it, and every TorchSharp method that calls one.</summary>
    private static HashSet<MethodBase> FindUnsafeTorchSharpMethods()
    {
        var torchSharp = typeof(Scalar).Assembly;
        var unsafeMethods = new HashSet<MethodBase>();
        var callers = new Dictionary<MethodBase, List<MethodBase>>();
        foreach (var type in Types(torchSharp))
        {
            foreach (var method in Methods(type))
            {
                var callees = Callees(method).ToList();
                if (callees.Any(MakesScalar) && !callees.Any(c => c.DeclaringType == typeof(Scalar) && c.Name == nameof(Scalar.Dispose)))
                {
                    unsafeMethods.Add(method);
                }

                foreach (var callee in callees)
                {
                    var key = callee is MethodInfo { IsGenericMethod: true } g ? g.GetGenericMethodDefinition() : callee;
                    if (!callers.TryGetValue(key, out var list))
                    {
                        callers[key] = list = [];
                    }

                    list.Add(method);
                }
            }
        }

        var pending = new Queue<MethodBase>(unsafeMethods);
        while (pending.Count > 0)
        {
            if (callers.TryGetValue(pending.Dequeue(), out var list))
            {
                foreach (var caller in list.Where(unsafeMethods.Add))
                {
                    pending.Enqueue(caller);
                }
            }
        }

        return unsafeMethods;
    }

    private static bool MakesScalar(MethodBase callee) =>
        (callee.DeclaringType == typeof(Scalar) && callee.Name == "op_Implicit")
        || (callee.DeclaringType?.Name == "ScalarExtensionMethods" && callee.Name == "ToScalar");

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> Types(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    private static IEnumerable<MethodBase> Methods(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The methods and constructors that <paramref name="method"/>'s IL calls.</summary>
    private static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or NotSupportedException)
        {
            il = null;
        }

        if (il is null)
        {
            yield break;
        }

        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(
                        BitConverter.ToInt32(il, i),
                        method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null,
                        method.IsGenericMethod ? method.GetGenericArguments() : null);
                }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException)
                {
                    // A reference this scan cannot resolve is not a TorchSharp call.
                }

                if (callee is not null)
                {
                    yield return callee;
                }
            }

            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
        }
    }
}
