#pragma once

#include <QString>

#include <optional>

namespace mist {

// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity):
//   <signedNumber><suffix>, number = digits, "digits.digits", "digits." or ".digits";
//   suffix = binary SI (Ki Mi Gi Ti Pi Ei), decimal SI (n u m "" k M G T P E) or a decimal
//   exponent ("e3", "E-2"). "250m" -> 0.25, "12345n" -> 0.000012345, "128Mi" -> 134217728,
//   "1e3" -> 1000. Anything else (spaces inside, "1.5.2", "10KiB", "") -> nullopt.
std::optional<double> parseKubeQuantity(const QString &text);

} // namespace mist
