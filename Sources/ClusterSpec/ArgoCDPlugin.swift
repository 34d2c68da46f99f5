import Foundation

/// What an Argo CD Application asks the clusterspec config management plugin for
/// (`integrations/argocd/plugin.yaml`), read from the variables Argo CD sets before it runs the
/// plugin's `generate` command in the Application's source directory:
///
/// - parameters (`spec.source.plugin.parameters`) as `ARGOCD_APP_PARAMETERS`, a JSON list of
///   `{"name": …, "string": …}`, and the same values as `PARAM_<NAME>`;
/// - the Application's `spec.source.plugin.env` entries as `ARGOCD_ENV_<NAME>`.
///
/// Only parameters the Application sets arrive (announced defaults do not), so the plugin applies
/// its own defaults. Anything it does not understand is an error: a plugin that guessed could
/// render the wrong environment, and one that printed nothing would let auto-prune delete it all.
public struct ArgoCDRequest: Sendable, Equatable {
    /// The environment whose objects to print (an overlay's `environment`).
    public var environment: String
    /// A spec file or directory inside the application directory; nil: the spec directory of the
    /// project found from the application directory.
    public var spec: String?

    public init(environment: String, spec: String? = nil) {
        self.environment = environment
        self.spec = spec
    }

    /// A parameter of the plugin and the `plugin.env` variable that may stand in for it.
    public struct Parameter: Sendable {
        public var name: String
        public var environmentVariable: String
    }

    /// The parameters plugin.yaml announces, in that order.
    public static let parameters = [
        Parameter(name: "environment", environmentVariable: "CLUSTERSPEC_ENVIRONMENT"),
        Parameter(name: "spec", environmentVariable: "CLUSTERSPEC_SPEC"),
    ]

    /// The request in `variables` (the process environment).
    public static func read(from variables: [String: String]) throws(ArgoCDRequestError) -> ArgoCDRequest {
        let parameterValues = try parameterValues(in: variables)
        var values: [String: String] = [:]
        for parameter in parameters {
            let fromParameter = parameterValues[parameter.name].flatMap(nonEmpty)
            let envName = "ARGOCD_ENV_" + parameter.environmentVariable
            let fromEnv = variables[envName].flatMap(nonEmpty)
            if let fromParameter, let fromEnv, fromParameter != fromEnv {
                throw ArgoCDRequestError("parameter '\(parameter.name)' is '\(fromParameter)' but plugin env \(parameter.environmentVariable) "
                    + "(\(envName)) is '\(fromEnv)': set one of them")
            }
            values[parameter.name] = fromParameter ?? fromEnv
        }
        guard let environment = values["environment"] else {
            throw ArgoCDRequestError("no environment: set the Application's plugin parameter 'environment' "
                + "(spec.source.plugin.parameters: [{name: environment, string: prod}]) or plugin env CLUSTERSPEC_ENVIRONMENT")
        }
        if let spec = values["spec"] {
            let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
            guard !spec.hasPrefix("/"), !parts.contains("..") else {
                throw ArgoCDRequestError("parameter 'spec' is '\(spec)': it must be a path inside the application directory (relative, without '..')")
            }
        }
        return ArgoCDRequest(environment: environment, spec: values["spec"])
    }

    /// The parameters by name: from `ARGOCD_APP_PARAMETERS` when Argo CD set it, else from
    /// `PARAM_<NAME>`.
    private static func parameterValues(in variables: [String: String]) throws(ArgoCDRequestError) -> [String: String] {
        let known = parameters.map(\.name)
        guard let json = variables["ARGOCD_APP_PARAMETERS"].flatMap(nonEmpty) else {
            var values: [String: String] = [:]
            for name in known { values[name] = variables[environmentName(ofParameter: name)] }
            return values
        }
        guard let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else {
            throw ArgoCDRequestError("ARGOCD_APP_PARAMETERS is not a JSON list of parameters: \(json)")
        }
        var values: [String: String] = [:]
        for item in list {
            guard let entry = item as? [String: Any], let name = entry["name"] as? String else {
                throw ArgoCDRequestError("ARGOCD_APP_PARAMETERS holds an entry without a name: \(json)")
            }
            guard known.contains(name) else {
                throw ArgoCDRequestError("unknown plugin parameter '\(name)': the clusterspec plugin takes \(known.map { "'\($0)'" }.joined(separator: " and "))")
            }
            guard values[name] == nil else { throw ArgoCDRequestError("plugin parameter '\(name)' is set twice") }
            guard let value = entry["string"] as? String, entry["array"] == nil, entry["map"] == nil else {
                throw ArgoCDRequestError("plugin parameter '\(name)' takes a string (string: …), not an array or a map")
            }
            values[name] = value
        }
        return values
    }

    /// The variable Argo CD sets for a string parameter: `PARAM_` and the name in upper case, every
    /// character other than a letter or digit replaced by `_`.
    public static func environmentName(ofParameter name: String) -> String {
        "PARAM_" + String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}

/// A request the plugin cannot serve; the message goes to stderr, which Argo CD shows.
public struct ArgoCDRequestError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}
