namespace Octavios.Deploy;

/// <summary>Input the user must correct (configuration, arguments): the build stops before touching anything.</summary>
public class DeployInputException(string message) : Exception(message);
