package provider

import "github.com/hwtasks/terraform-provider-hwtasks/internal/client"

// The services of GET /v1/{project_id}/jobs/{job_id}, one row each. The
// facts behind them are in API-jobs.md, § v1 jobs.
var (
	// NewECSJobDataSource returns hwtasks_ecs_job.
	NewECSJobDataSource = newV1JobDataSource(v1JobService{
		typeName: "ecs_job", product: "ECS", api: client.ECSJobs, exampleJob: "createServer",
		permission: "read access to ECS, such as the ECS ReadOnlyAccess system policy",
		started:    "creating, resizing or deleting servers, attaching volumes",
	})
	// NewEVSJobDataSource returns hwtasks_evs_job.
	NewEVSJobDataSource = newV1JobDataSource(v1JobService{
		typeName: "evs_job", product: "EVS", api: client.EVSJobs, exampleJob: "createVolume",
		permission: "read access to EVS, such as the EVS ReadOnlyAccess system policy",
		started:    "creating, extending, retyping or deleting volumes",
	})
	// NewIMSJobDataSource returns hwtasks_ims_job.
	NewIMSJobDataSource = newV1JobDataSource(v1JobService{
		typeName: "ims_job", product: "IMS", api: client.IMSJobs, exampleJob: "createImageByInstance",
		permission: "read access to IMS, such as the IMS ReadOnlyAccess system policy",
		started:    "making, importing, copying or exporting images",
	})
)
