import SpecModel

/// A run-to-completion workload: a Job, or a CronJob when scheduled.
struct JobEmitter {
    let system: SystemSpec

    func resources(_ job: JobSpec) -> [Resource] {
        let workload = job.workload
        var resources = IdentityEmitter.resources(workload, system: system.name.value)
        let metadata = ObjectMeta(name: workload.name.value, namespace: workload.namespace.value,
                                  labels: Labels.workload(workload, system: system.name.value))
        let jobSpec: ManifestValue = [
            "backoffLimit": .int(job.backoffLimit.value),
            "activeDeadlineSeconds": .optional(job.activeDeadlineSeconds?.value),
            "template": PodTemplateEmitter(system: system).template(workload, restartPolicy: "OnFailure"),
        ]
        if let schedule = job.schedule {
            resources.append(Resource(
                apiVersion: "batch/v1", kind: "CronJob", metadata: metadata, origin: workload.name.location,
                fields: ["spec": [
                    "schedule": .string(schedule.value),
                    "timeZone": .optional(job.timeZone?.value),
                    "concurrencyPolicy": .string(job.concurrencyPolicy.value.rawValue),
                    "successfulJobsHistoryLimit": 3,
                    "failedJobsHistoryLimit": 1,
                    "jobTemplate": ["metadata": ["labels": .sortedStrings(Labels.workload(workload, system: system.name.value))], "spec": jobSpec],
                ]]))
        } else {
            resources.append(Resource(apiVersion: "batch/v1", kind: "Job", metadata: metadata, origin: workload.name.location,
                                      fields: ["spec": jobSpec]))
        }
        return resources
    }
}
