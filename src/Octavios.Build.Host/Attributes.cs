namespace Octavios.Build.Host;

[AttributeUsage(AttributeTargets.Class)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

[AttributeUsage(AttributeTargets.Class)]
public sealed class TaskDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}

/// <summary>This task runs after <paramref name="dependency"/>; order of attributes is the order of dependencies.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependentOnAttribute(Type dependency) : Attribute
{
    public Type Dependency { get; } = dependency;
}

/// <summary>This task is a dependency of <paramref name="dependee"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependeeOfAttribute(Type dependee) : Attribute
{
    public Type Dependee { get; } = dependee;
}

[AttributeUsage(AttributeTargets.Class)]
public sealed class ContinueOnErrorAttribute : Attribute
{
}

