using System.Reflection;
using System.Reflection.Emit;

namespace Integrations.IntegrationTests.Architecture;

/// <summary>
/// The types a compiled type uses: its base type and interfaces, its fields, properties, events,
/// method and constructor signatures, attributes and local variables, and every type, method and
/// field its method bodies name (read from their IL). Nested types count as their declaring
/// type's: lambdas, local functions and async methods compile to nested classes, so a type's
/// dependencies include what those bodies use. Generic instantiations, arrays and by-refs count
/// as the types they are made of.
/// </summary>
public static class TypeDependencies
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types <paramref name="type"/> (with its nested types) uses, itself and its nested types excluded.</summary>
    public static IReadOnlySet<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        var own = new HashSet<Type>();
        Collect(type, found, own);
        found.ExceptWith(own);
        return found;
    }

    private static void Collect(Type type, HashSet<Type> found, HashSet<Type> own)
    {
        own.Add(type);
        Add(found, type.BaseType);
        foreach (var contract in type.GetInterfaces()) Add(found, contract);
        foreach (var attribute in type.CustomAttributes) Add(found, attribute.AttributeType);
        foreach (var field in type.GetFields(Declared)) Add(found, field.FieldType);
        foreach (var property in type.GetProperties(Declared)) Add(found, property.PropertyType);
        foreach (var @event in type.GetEvents(Declared)) Add(found, @event.EventHandlerType);
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info) Add(found, info.ReturnType);
            foreach (var parameter in method.GetParameters()) Add(found, parameter.ParameterType);
            foreach (var attribute in method.CustomAttributes) Add(found, attribute.AttributeType);
            Body(method, found);
        }
        foreach (var nested in type.GetNestedTypes(Declared)) Collect(nested, found, own);
    }

    private static void Body(MethodBase method, HashSet<Type> found)
    {
        var body = method.GetMethodBody();
        if (body is null) return;
        foreach (var local in body.LocalVariables) Add(found, local.LocalType);
        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    Member(method.Module, BitConverter.ToInt32(il, at), typeArguments, methodArguments, found);
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                default:
                    at += OperandSize(opCode.OperandType);
                    break;
            }
        }
    }

    private static void Member(Module module, int token, Type[]? typeArguments, Type[]? methodArguments, HashSet<Type> found)
    {
        MemberInfo? member;
        try
        {
            member = module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (Exception ex) when (ex is ArgumentException or TypeLoadException or FileNotFoundException or BadImageFormatException)
        {
            // A member of an assembly that does not load here; never one of the assembly itself.
            return;
        }
        switch (member)
        {
            case Type type:
                Add(found, type);
                break;
            case MethodBase called:
                Add(found, called.DeclaringType);
                if (called is MethodInfo info)
                {
                    Add(found, info.ReturnType);
                    if (info.IsGenericMethod) foreach (var argument in info.GetGenericArguments()) Add(found, argument);
                }
                foreach (var parameter in called.GetParameters()) Add(found, parameter.ParameterType);
                break;
            case FieldInfo field:
                Add(found, field.DeclaringType);
                Add(found, field.FieldType);
                break;
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    /// <summary>Adds the type and what it is made of (element types, generic arguments); generic parameters are no type of their own.</summary>
    private static void Add(HashSet<Type> found, Type? type)
    {
        if (type is null || type.IsGenericParameter) return;
        if (type.HasElementType)
        {
            Add(found, type.GetElementType());
            return;
        }
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            found.Add(type.GetGenericTypeDefinition());
            foreach (var argument in type.GetGenericArguments()) Add(found, argument);
            return;
        }
        found.Add(type);
    }
}
