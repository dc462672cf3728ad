# Row 3 of BENCHMARKS.md, the floor: what `terraform plan` costs with no
# provider at all, on the same Terraform binary and machine. It has the
# outputs of bench/plan/main.tf, computed from locals instead of data sources.

locals {
  tasks = [for i in range(257) : {
    id     = format("task-%03d", i)
    status = ["SUCCESS", "SUCCESS", "SUCCESS", "FAILED", "SUCCESS", "CANCELLED", "SUCCESS"][i % 7]
  }]
  statuses = sort(distinct(local.tasks[*].status))
}

output "task_count" {
  value = length(local.tasks)
}

output "tasks_per_status" {
  value = { for s in local.statuses : s => length([for t in local.tasks : t if t.status == s]) }
}

output "job" {
  value = {
    status    = "Completed"
    datastore = "gaussdb-mysql"
  }
}
