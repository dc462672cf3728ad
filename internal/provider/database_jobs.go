package provider

import "github.com/hwtasks/terraform-provider-hwtasks/internal/client"

// The database services whose task centers share GET
// /v3/{project_id}/jobs?id=, one row each. The facts behind each field are
// in API-jobs.md, § DB jobs by ID.

// dbsJobNotFound is "The job does not exist.", which RDS, openGauss and
// GaussDB(for MySQL) document with HTTP 400.
const dbsJobNotFound = "DBS.200543"

var (
	// NewGaussDBJobDataSource returns hwtasks_gaussdb_job.
	NewGaussDBJobDataSource = newDBJobDataSource(dbJobService{
		typeName: "gaussdb_job", product: "GaussDB(for MySQL)", api: client.GaussDBJobs,
		// Pending is a delayed job that has not started: GaussDB(for
		// MySQL) only.
		statuses: []string{"Pending", "Running", "Completed", "Failed"}, waiting: []string{"Pending", "Running"},
		notFoundCodes: []string{dbsJobNotFound}, progressField: "process", entities: true,
		permission: "read access to GaussDB(for MySQL), such as the GaussDB ReadOnlyAccess system policy",
		exampleJob: "CreateGaussDBforMySQLInstance", console: "the task center of the GaussDB console",
	})
	// NewRDSJobDataSource returns hwtasks_rds_job.
	NewRDSJobDataSource = newDBJobDataSource(dbJobService{
		typeName: "rds_job", product: "RDS", api: client.RDSJobs,
		statuses: []string{"Running", "Completed", "Failed"}, waiting: []string{"Running"},
		// RDS documents both for an unknown job; which one comes back is
		// unconfirmed.
		notFoundCodes: []string{dbsJobNotFound, "RDS.5041"}, progressField: "process", entities: true,
		permission: "read access to RDS, such as the RDS ReadOnlyAccess system policy",
		exampleJob: "CreateMysqlInstance", console: "the task center of the RDS console",
	})
	// NewOpenGaussJobDataSource returns hwtasks_opengauss_job.
	NewOpenGaussJobDataSource = newDBJobDataSource(dbJobService{
		typeName: "opengauss_job", product: "GaussDB(for openGauss)", api: client.OpenGaussJobs,
		// The official provider also waits on Pending for some resources.
		statuses: []string{"Pending", "Running", "Completed", "Failed"}, waiting: []string{"Pending", "Running"},
		notFoundCodes: []string{dbsJobNotFound}, progressField: "progress",
		permission: "read access to GaussDB, such as the GaussDB ReadOnlyAccess system policy",
		exampleJob: "CreateGaussDBV5Instance", console: "the task center of the GaussDB console",
	})
	// NewDDSJobDataSource returns hwtasks_dds_job.
	NewDDSJobDataSource = newDBJobDataSource(dbJobService{
		typeName: "dds_job", product: "DDS", api: client.DDSJobs,
		statuses: []string{"Running", "Completed", "Failed"}, waiting: []string{"Running"},
		// DDS documents no code for an unknown job; DBS.200543 is what the
		// services of the same task center answer.
		notFoundCodes: []string{dbsJobNotFound}, progressField: "progress",
		permission: "read access to DDS, such as the DDS ReadOnlyAccess system policy",
		exampleJob: "Create_Instance", console: "the task center of the DDS console",
	})
	// NewGeminiDBJobDataSource returns hwtasks_geminidb_job.
	NewGeminiDBJobDataSource = newDBJobDataSource(dbJobService{
		typeName: "geminidb_job", product: "GeminiDB", api: client.GeminiDBJobs,
		// The official provider waits on anything but Completed and
		// Failed; Running is the only other status documented.
		statuses: []string{"Running", "Completed", "Failed"}, waiting: []string{"Running"},
		progressField: "progress",
		permission:    "read access to GeminiDB, such as the GeminiDB ReadOnlyAccess system policy",
		exampleJob:    "CreateInstance", console: "the task center of the GeminiDB console",
	})
)
